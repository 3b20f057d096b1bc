"""A window whose time came but that nobody started (a read-only dashboard starts none, there
may be no reconciler at all) never injected anything. `faults list` called it "active"
(`"state": "active"`, `started_at: null`) where the dashboard said "due, not started", and
HALT ALL said "1 window(s) ended" and stored it as ended, so the timeline and the report
said it ended early, as if it had run. Now it is due, not started, then cancelled before
its start: in `faults list` and its JSON, `snapshot --json`, HALT ALL's message (the
command line's and the dashboard's H), `e`, and the stored end every timeline and report
reads, on the local and the kube backends."""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backends.clock import FrozenClock
from backends.fault_ends import halt_words
from backends.faults_core import cancelled, shown_state
from backends.models import Actor, FaultRequest, FaultSpec, FaultsSnapshot
from backends.report_faults import fault_windows_section
from backends.timeline import Timeline, window_key
from tests.conftest import watchfloor_cmd
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tests.kube_fake import FakeKube
from tests.kube_faults_helpers import request, sources
from tui import fault_reconcile
from tui.commands.faults_listing import list_lines
from tui.screens.halt import HaltScreen

ERIN = Actor(name="erin")
REASON = "pager fired"
HALTED = f"HALT ALL by erin: {REASON}"


def req(host: str = "docs-api", **kw: Any) -> FaultRequest:
    spec = FaultSpec(target_host=host, namespace="stage", delay_ms=200, delay_percent=20)
    return FaultRequest(spec=spec, reason="game day: latency drill", **kw)


def states(snap: FaultsSnapshot, now: Any) -> dict[str, str]:
    """Each window's STATE as `faults list` prints it."""
    return {line.split("  ")[0]: line.split("  ")[1] for line in list_lines(snap, now)[1:]}


async def test_local_a_due_window_nobody_started_is_due_then_cancelled_by_halt_all(
    frozen_clock: FrozenClock,
) -> None:
    from backends.faults_core import snapshot_json  # what `faults list --json` prints

    src = local_sources(frozen_clock)
    faults = src["faults"]
    live = await faults.schedule(req(duration=timedelta(minutes=3)), ERIN)  # put in at once
    due = await faults.schedule(
        req("search-api", start_in=timedelta(seconds=5), duration=timedelta(minutes=3)), ERIN
    )
    frozen_clock.advance(9)  # no reconciler ran: nobody started it
    now = frozen_clock.now()
    before = await faults.snapshot()
    assert states(before, now) == {live.id: "active", due.id: "due, not started"}
    doc = {w["id"]: w for w in snapshot_json(before, now)["windows"]}
    assert doc[due.id]["state"] == "due, not started" and doc[due.id]["started_at"] is None
    assert doc[live.id]["state"] == "active"
    tl = Timeline()
    tl.observe(before, now)

    assert await faults.halt_all(ERIN, REASON) == 2
    after = await faults.snapshot()
    assert halt_words(after.windows, now, "erin", REASON, 2) == (
        "1 window(s) ended, 1 cancelled before it started"
    )
    assert states(after, now) == {live.id: "ended", due.id: "cancelled"}
    (stored,) = [w for w in after.windows if w.id == due.id]
    assert cancelled(stored) and stored.started_at is None and stored.end_reason == HALTED
    (row,) = [x for x in list_lines(after, now) if x.startswith(due.id)]
    assert "cancelled 09:00:09Z (planned 09:00:05-09:03:05Z)" in row, row

    tl.observe(after, now)
    ends = {
        w: e.text for e in tl.events for w in (live.id, due.id) if e.key == window_key(w, "end")
    }
    # its time had come 4 s before: not "before it started"
    assert ends[due.id].endswith(
        "cancelled 4s after its planned start, never started, nothing injected"
        f" (owner erin: game day: latency drill); {HALTED}"
    )
    assert ends[live.id].endswith(f"; ended early, {HALTED}")
    report = "\n".join(fault_windows_section(after, now))
    assert f"state: cancelled at 09:00:09Z, before it started: {HALTED}" in report
    assert f"state: ended early at 09:00:09Z: {HALTED}" in report
    await src.aclose()


async def test_local_ending_a_due_window_nobody_started_cancels_it(
    frozen_clock: FrozenClock,
) -> None:
    src = local_sources(frozen_clock)
    due = await src["faults"].schedule(req(start_in=timedelta(seconds=5)), ERIN)
    frozen_clock.advance(9)
    await src["faults"].end(due.id, ERIN, "not today")
    (w,) = (await src["faults"].snapshot()).windows
    assert shown_state(w, frozen_clock.now()) == "cancelled"
    await src.aclose()


async def test_kube_halt_all_cancels_a_due_window_and_ends_the_ones_in_the_mesh(
    api: FakeKube, frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.kube_fake import virtual_service

    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    live = await faults.schedule(request(), ERIN)
    due = await faults.schedule(
        request(ns="dev", host="ratings", start_in=timedelta(minutes=1)), ERIN
    )
    # put in from another data dir: this one's store does not know when it started
    monkeypatch.setenv("WATCHFLOOR_DATA_DIR", str(tmp_path / "laptop"))
    laptop = sources(api, frozen_clock)
    theirs = await laptop["faults"].schedule(request(ns="dev", host="billing"), ERIN)
    await laptop.aclose()
    frozen_clock.advance(120)  # no reconciler ran: `due` was never put in
    now = frozen_clock.now()
    before = await faults.snapshot()
    assert states(before, now) == {
        live.id: "active",
        due.id: "due, not started",
        theirs.id: "active",
    }

    await faults.end(theirs.id, ERIN, "that one is done")  # in the mesh: it ran
    assert await faults.halt_all(ERIN, REASON) == 2
    after = await faults.snapshot()
    assert halt_words(after.windows, now, "erin", REASON, 2) == (
        "1 window(s) ended, 1 cancelled before it started"
    )
    assert states(after, now) == {live.id: "ended", due.id: "cancelled", theirs.id: "ended"}
    await src.aclose()


def wf(*argv: str) -> str:
    proc = subprocess.run(
        [*watchfloor_cmd(), *argv],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "WATCHFLOOR_UI__ACTOR": "erin"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_command_line_says_due_not_started_then_cancelled_by_its_halt() -> None:
    out = wf(
        *("faults", "schedule", "--host", "docs-api", "-n", "stage", "--delay", "200ms"),
        *("--delay-percent", "20", "--duration", "3m", "--start-in", "1s"),
        *("--reason", "game day: latency drill"),
    )
    wid = out.split()[0]
    time.sleep(1.5)  # due; nobody runs `faults reconcile`
    (row,) = wf("faults", "list").splitlines()[1:]
    assert row.split("  ")[:2] == [wid, "due, not started"], row
    (listed,) = json.loads(wf("faults", "list", "--json"))["windows"]
    assert (listed["state"], listed["started_at"]) == ("due, not started", None)
    (seen,) = json.loads(wf("snapshot", "--json", "--for", "0"))["faults"]["windows"]
    assert seen["state"] == "due, not started"

    assert wf("faults", "halt", "--reason", REASON) == "HALT ALL: 1 cancelled before it started\n"
    (row,) = wf("faults", "list").splitlines()[1:]
    assert row.split("  ")[:2] == [wid, "cancelled"], row
    (seen,) = json.loads(wf("snapshot", "--json", "--for", "0"))["faults"]["windows"]
    assert seen["state"] == "cancelled"


async def test_the_dashboards_halt_says_it_cancelled_a_due_window_it_had_not_started(
    frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its reconciler had not come round to it yet (or the API server refused to put it in)."""
    monkeypatch.setattr(fault_reconcile, "RECONCILE_S", 3600.0)
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "erin")
    app = local_app(frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        due = await app.sources["faults"].schedule(req(start_in=timedelta(seconds=5)), ERIN)
        await app.refresh_now("faults")
        frozen_clock.advance(9)
        await app.refresh_now("faults")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="halt modal")
        await pilot.press(*REASON, "enter", *"HALT", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, HaltScreen), what="halt done")
        said = [n.message for n in app._notifications if n.title == "HALT ALL"]
        assert said == ["1 cancelled before it started"]
        texts = [e.text for e in app.timeline.newest_first()]
        assert f"HALT ALL by erin: 1 cancelled before it started; {REASON}" in texts
        (end,) = [e.text for e in app.timeline.events if e.key == window_key(due.id, "end")]
        assert "cancelled 4s after its planned start, never started, nothing injected" in end
