"""Local fault windows: persisted, seen by other processes, driving the simulator, ended by
reconcile (on time or by a guard) without a dashboard."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from backends.clock import FrozenClock
from backends.contracts import ActionRefused, FaultReconciler
from backends.models import Actor, FaultGuards, FaultRequest, FaultSpec, WindowState
from tests.conftest import ROOT, watchfloor_cmd
from tests.helpers import local_sources

if TYPE_CHECKING:
    from backends.local.faults import LocalFaults

ERIN = Actor(name="erin")
DOCS = "GET /docs/:id"


def req(**kw: object) -> FaultRequest:
    spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=3000, delay_percent=20)
    return FaultRequest(spec=spec, reason="game day: docs-api latency drill", **kw)


async def test_windows_persist_for_other_processes_and_end_on_time(
    frozen_clock: FrozenClock,
) -> None:
    opener = local_sources(frozen_clock)
    w = await opener["faults"].schedule(req(duration=timedelta(minutes=2)), ERIN)
    await opener.aclose()  # the dashboard that opened it is gone

    later = local_sources(frozen_clock)  # another process: cron, a pod
    faults: LocalFaults = later["faults"]
    assert isinstance(faults, FaultReconciler)
    snap = await faults.snapshot()
    assert [(x.id, x.applied) for x in snap.windows] == [(w.id, True)]
    assert await faults.reconcile() == []
    frozen_clock.advance(121)
    assert await faults.reconcile() == [f"{w.id} stage/docs-api: ended on time"]
    assert await faults.reconcile() == []  # once
    (x,) = (await faults.snapshot()).windows
    assert (x.state(frozen_clock.now()), x.applied, x.end_reason) == (
        WindowState.ENDED,
        False,
        "ended on time",
    )
    records = await later["audit"].records(limit=50)
    assert ("watchfloor-reconcile", "fault-reconcile-end", "applied") in {
        (r.actor, r.action, r.outcome) for r in records
    }
    await later.aclose()


async def test_the_latency_pane_reacts_and_a_guard_ends_the_window(
    frozen_clock: FrozenClock,
) -> None:
    src = local_sources(frozen_clock)
    frozen_clock.advance(1)
    calm = await src["latency"].snapshot()
    base = next(r.p999_ms for r in calm.routes if r.route == DOCS)
    assert base is not None and base < 2500
    w = await src["faults"].schedule(req(guards=FaultGuards(p999_ms_above=2500, route=DOCS)), ERIN)
    await src["faults"].snapshot()
    frozen_clock.advance(60)
    hot = await src["latency"].snapshot()
    p999 = next(r.p999_ms for r in hot.routes if r.route == DOCS)
    assert p999 is not None and p999 > 2500  # 20% of requests +3 s: the tail shows it
    lines = await src["faults"].reconcile(hot)
    said = f"{w.id} stage/docs-api: ended by its guard: {DOCS}"  # it says that it ended
    assert len(lines) == 1 and lines[0].startswith(said), lines
    (x,) = (await src["faults"].snapshot()).windows
    assert x.state(frozen_clock.now()) is WindowState.ENDED and x.end_reason.startswith("guard")
    frozen_clock.advance(90)
    cooled = next(r.p999_ms for r in (await src["latency"].snapshot()).routes if r.route == DOCS)
    assert cooled is not None and cooled < 2500
    await src.aclose()


async def test_a_later_window_is_felt_only_once_a_reconciler_starts_it(
    frozen_clock: FrozenClock,
) -> None:
    """As on a mesh: its time coming puts nothing in; a reconciler does (audited), and one
    run with `start=False` (a read-only dashboard's) never does."""
    src = local_sources(frozen_clock)
    faults: LocalFaults = src["faults"]
    w = await faults.schedule(req(start_in=timedelta(seconds=30)), ERIN)
    frozen_clock.advance(90)
    (x,) = (await faults.snapshot()).windows
    assert x.state(frozen_clock.now()) is WindowState.ACTIVE and not x.applied
    assert await faults.reconcile(start=False) == []
    calm = next(r.p999_ms for r in (await src["latency"].snapshot()).routes if r.route == DOCS)
    assert calm is not None and calm < 2500  # the simulation did not feel it
    assert await faults.reconcile() == [f"{w.id} stage/docs-api: started"]
    assert (await faults.snapshot()).windows[0].applied
    frozen_clock.advance(60)
    hot = next(r.p999_ms for r in (await src["latency"].snapshot()).routes if r.route == DOCS)
    assert hot is not None and hot > 2500
    records = await src["audit"].records(limit=50)
    assert ("watchfloor-reconcile", "fault-start", "applied") in {
        (r.actor, r.action, r.outcome) for r in records
    }
    await src.aclose()


async def test_local_refuses_protected_namespace_with_nothing_written(
    frozen_clock: FrozenClock,
) -> None:
    src = local_sources(frozen_clock)
    before = await src["audit"].records(limit=100)
    spec = req().spec.model_copy(update={"namespace": "istio-system"})
    with pytest.raises(ActionRefused, match="protected"):
        await src["faults"].schedule(FaultRequest(spec=spec, reason="control plane drill"), ERIN)
    assert await src["audit"].records(limit=100) == before
    assert (await src["faults"].snapshot()).windows == ()
    await src.aclose()


@pytest.mark.slow
def test_headless_lifecycle_list_end_halt(data_dir: Path) -> None:
    """Each command its own process, sharing only the data dir, as on a laptop or in cron."""

    def wf(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*watchfloor_cmd(), "faults", *args],
            capture_output=True, text=True, cwd=ROOT, timeout=60,
            env={**os.environ, "WATCHFLOOR_UI__ACTOR": "erin"},
        )  # fmt: skip

    common = ["--namespace", "stage", "--delay", "2s", "--delay-percent", "10"]
    one = wf("schedule", "--host", "docs-api", *common, "--reason", "drill one for the CLI")
    two = wf("schedule", "--host", "search-api", *common, "--reason", "drill two for the CLI")
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    first, second = one.stdout.split()[0], two.stdout.split()[0]
    assert wf("end", first, "--reason", "enough of that").returncode == 0
    refused = wf("end", first, "--reason", "enough of that")  # who ended it, when, how
    assert refused.returncode == 1, refused.stderr
    assert re.fullmatch(
        rf"watchfloor: refused: fault window {first} on stage/docs-api was already ended by"
        r" erin at \d\d:\d\d:\d\dZ \(enough of that\): nothing to end\n",
        refused.stderr,
    ), refused.stderr
    halted = wf("halt", "--reason", "pager fired")
    assert halted.returncode == 0 and "1 window(s) ended" in halted.stdout
    listed = json.loads(wf("list", "--json").stdout)
    reasons = {w["id"]: w["end_reason"] for w in listed["windows"]}
    assert reasons == {
        first: "ended by erin: enough of that",
        second: "HALT ALL by erin: pager fired",
    }
    text = wf("list").stdout
    assert first in text and "ended" in text
