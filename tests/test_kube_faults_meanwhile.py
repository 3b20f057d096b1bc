"""Edits someone makes to a managed VirtualService while its window runs, against the fake
Kubernetes API server (tests/kube_fake.py), as a game day met them.

Before: ending a window put the labels and annotations back as a copy taken before the
window, so an annotation (`oncall.example.com/note`, an Argo CD sync option) and a label
(`team: docs`) added meanwhile were gone while route edits stayed; a fault someone edited
(30% lowered to 10%) was left on its route with the managed-by label taken off (`faults
end` said "ended", HALT ALL and the reconciler never saw it again); and with every fault
taken off the routes by hand, the pane and `faults list` still said "applied yes", read
from the annotations. Now only what watchfloor added comes off, the edited fault comes off
too and the end says so, and `applied` is read from the routes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from backends.audit_history import history_from
from backends.clock import FrozenClock
from backends.fault_istio import MANAGED_LABEL, PREFIX
from backends.models import WindowState
from tests.helpers import SIZE, local_app, wait_for
from tests.kube_fake import FakeKube, virtual_service
from tests.kube_faults_helpers import ERIN, comparable, kube_env, request, sources
from tests.test_form_in_flight import toasts
from tui import cli
from tui.commands.faults_listing import list_lines
from tui.screens.end_window import EndWindowScreen

NOTE = "oncall.example.com/note"
ARGO = "argocd.argoproj.io/sync-options"


def edit(api: FakeKube, ns: str, name: str, fn: Callable[[dict[str, Any]], None]) -> None:
    """Someone else's write (kubectl edit, Argo CD): a new resourceVersion."""
    with api.lock:
        obj = api.objects[(ns, name)]
        fn(obj)
        obj["metadata"]["resourceVersion"] = str(api.rv + 1)
        api.rv += 1


def their_edits(obj: dict[str, Any]) -> None:
    """What the explorer's teammates did to stage/docs-api during the window."""
    obj["metadata"]["annotations"][NOTE] = "drill running, ask #docs-oncall"
    obj["metadata"]["annotations"][ARGO] = "Prune=false"
    obj["metadata"]["labels"]["team"] = "docs"
    obj["spec"]["http"][0]["timeout"] = "3s"
    obj["spec"]["http"][1]["route"][0]["weight"] = 80
    obj["spec"]["http"][1]["route"][1]["weight"] = 20


async def test_ending_keeps_labels_and_annotations_added_meanwhile(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    expected = copy.deepcopy(api.stored("stage", "docs-api"))
    assert expected is not None
    their_edits(expected)  # the object as it was, with their edits and nothing of ours
    src = sources(api, frozen_clock)
    faults = src["faults"]
    w = await faults.schedule(request(), ERIN)
    edit(api, "stage", "docs-api", their_edits)

    await faults.end(w.id, ERIN, "drill finished early")
    after = api.stored("stage", "docs-api")
    assert after is not None
    assert after["metadata"]["annotations"][NOTE] == "drill running, ask #docs-oncall"
    assert after["metadata"]["annotations"][ARGO] == "Prune=false"
    assert after["metadata"]["labels"]["team"] == "docs"
    assert after["metadata"]["labels"][MANAGED_LABEL] == "Helm"  # the value we overwrote
    assert not [k for k in after["metadata"]["annotations"] if k.startswith(PREFIX)]
    assert comparable(after) == comparable(expected)
    await src.aclose()


async def test_reconciler_keeps_them_too_and_an_untouched_object_is_byte_for_byte(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    """The same inverse at the end of a window, and with no labels or annotations at all
    before, none after (not empty ones)."""
    bare = virtual_service("stage", "docs-api", "docs-api")
    del bare["metadata"]["labels"], bare["metadata"]["annotations"]
    api.seed(bare)
    api.seed(virtual_service("stage", "search", "search-api"))
    untouched = comparable(api.stored("stage", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    await faults.schedule(request(), ERIN)
    await faults.schedule(request(host="search-api"), ERIN)
    edit(api, "stage", "search", their_edits)
    frozen_clock.advance(601)
    assert len(await faults.reconcile()) == 2
    assert comparable(api.stored("stage", "docs-api")) == untouched
    search = api.stored("stage", "search")
    assert search is not None and search["metadata"]["labels"]["team"] == "docs"
    assert NOTE in search["metadata"]["annotations"]
    await src.aclose()


def lower_delay(obj: dict[str, Any]) -> None:
    """Someone finds 30% too much and lowers the default route's delay to 10%."""
    obj["spec"]["http"][1]["fault"]["delay"]["percentage"]["value"] = 10.0


EDITED = "the fault on route default had been edited (delay 800ms @10%, was 800ms @30%): removed"


def test_faults_end_takes_an_edited_fault_out_too_and_says_so(
    api: FakeKube, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    for k, v in kube_env(api).items():
        monkeypatch.setenv(k, v)
    assert cli.main([
        "faults", "schedule", "--host", "docs-api", "-n", "stage", "--delay", "800ms",
        "--delay-percent", "30", "--reason", "game day: docs-api latency drill",
    ]) == 0  # fmt: skip
    wid = capsys.readouterr().out.split()[0]
    edit(api, "stage", "docs-api", lower_delay)

    assert cli.main(["faults", "end", wid, "--reason", "drill over"]) == 0
    assert capsys.readouterr().out == f"{wid} ended; {EDITED}\n"
    after = api.stored("stage", "docs-api")
    assert after is not None
    assert not [r for r in after["spec"]["http"] if "fault" in r]  # nothing left untracked
    assert after["metadata"]["labels"][MANAGED_LABEL] == "Helm"

    assert cli.main(["faults", "list"]) == 0
    (row,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith(wid)]
    assert f"— ended by erin: drill over; {EDITED}" in row, row


async def test_the_end_audit_record_says_the_edited_fault_came_out_too(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    """Before: its outcome read plain "applied", though the stored end said what else came
    out; `audit list` and a timeline read from the trail did not tell it."""
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    w = await faults.schedule(request(), ERIN)
    edit(api, "stage", "docs-api", lower_delay)
    await faults.end(w.id, ERIN, "drill over")
    records = await src["audit"].records(limit=20)
    (outcome,) = [r for r in records if r.action == "fault-end" and r.phase == "outcome"]
    assert outcome.outcome == f"applied; {EDITED}"
    # and a report that only the trail tells of this window (a restarted dashboard) says it
    (ended,) = history_from(records, frozen_clock.now()).windows
    assert ended.end_reason == f"ended by erin: drill over; {EDITED}"
    await src.aclose()


async def test_the_reconciler_takes_an_edited_fault_out_at_its_end_and_says_so(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    w = await faults.schedule(request(), ERIN)
    edit(api, "stage", "docs-api", lower_delay)
    (listed,) = (await faults.snapshot()).windows
    assert listed.applied  # an edited fault is still a fault in the mesh
    frozen_clock.advance(601)
    assert await faults.reconcile() == [f"{w.id} stage/docs-api: removed, ended on time; {EDITED}"]
    records = await src["audit"].records(limit=20)
    (outcome,) = [r for r in records if r.action == "fault-reconcile-end" and r.phase == "outcome"]
    assert outcome.outcome == f"applied; {EDITED}"
    after = api.stored("stage", "docs-api")
    assert after is not None and not [r for r in after["spec"]["http"] if "fault" in r]
    await src.aclose()


async def test_with_every_fault_taken_off_by_hand_it_reads_not_applied_then_ends(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    w = await faults.schedule(request(), ERIN)

    def strip(obj: dict[str, Any]) -> None:
        for route in obj["spec"]["http"]:
            route.pop("fault", None)

    edit(api, "stage", "docs-api", strip)
    frozen_clock.advance(30)
    snap, now = await faults.snapshot(), frozen_clock.now()
    (listed,) = snap.windows
    assert not listed.applied
    (row,) = [x for x in list_lines(snap, now) if x.startswith(w.id)]
    assert " active " in row and " no " in row and " yes " not in row, row  # not "due"

    assert await faults.reconcile() == [
        f"{w.id} stage/docs-api: removed, removed outside watchfloor"
    ]
    after = api.stored("stage", "docs-api")
    assert after is not None and after["metadata"]["labels"][MANAGED_LABEL] == "Helm"
    (listed,) = (await faults.snapshot()).windows
    assert listed.state(frozen_clock.now()) is WindowState.ENDED
    assert (listed.end_reason, listed.started_at) == ("removed outside watchfloor", w.starts_at)
    await src.aclose()


async def test_e_on_the_dashboard_says_it_too(
    api: FakeKube, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    for k, v in kube_env(api).items():
        monkeypatch.setenv(k, v)
    src = sources(api)
    w = await src["faults"].schedule(request(), ERIN)
    await src.aclose()
    edit(api, "stage", "docs-api", lower_delay)
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:

        def listed() -> bool:
            snap = app.snapshots.get("faults")
            return any(x.id == w.id and x.applied for x in getattr(snap, "windows", ()))

        await wait_for(pilot, listed, what="the window")
        await pilot.press("e")  # the one open window: asks why
        await wait_for(pilot, lambda: isinstance(app.screen, EndWindowScreen), what="the dialog")
        await pilot.press(*"drill is over now", "enter")
        said = f"Fault window: Window {w.id} on stage/docs-api ended; {EDITED}"
        await wait_for(pilot, lambda: said in toasts(app), what="the toast")
    after = api.stored("stage", "docs-api")
    assert after is not None and not [r for r in after["spec"]["http"] if "fault" in r]
