"""The kube fault reconciler against the fake Kubernetes API server (tests/kube_fake.py):
windows started when due and ended on time or by their guard, leaked faults alerted and
removed, and `watchfloor faults reconcile --once` ending a window with no dashboard up."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest

from backends.alerts import derive
from backends.clock import FrozenClock, SystemClock
from backends.fault_istio import A_WINDOW
from backends.models import (
    AlertKind,
    FaultGuards,
    HealthState,
    LatencySnapshot,
    RouteLatency,
    SourceHealth,
    WindowState,
)
from tests.conftest import ROOT, watchfloor_cmd
from tests.kube_fake import FakeKube, virtual_service
from tests.kube_faults_helpers import ERIN, comparable, kube_env, request, sources


async def test_reconcile_ends_on_time_starts_when_due_and_honours_guards(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    original = comparable(api.stored("stage", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    guarded = FaultGuards(p999_ms_above=1500, route="GET /docs/:id")
    soon = await faults.schedule(
        request(start_in=timedelta(minutes=1), duration=timedelta(minutes=5), guards=guarded),
        ERIN,
    )
    assert comparable(api.stored("stage", "docs-api")) == original  # scheduled, not applied
    said = [r.outcome for r in await src["audit"].records(limit=100) if r.phase == "outcome"]
    assert said == ["scheduled, starts 09:01:00Z"]  # it read "applied": not in the mesh yet
    frozen_clock.advance(61)
    assert any("started" in line for line in await faults.reconcile())
    assert api.stored("stage", "docs-api")["metadata"]["annotations"][A_WINDOW] == soon.id  # type: ignore[index]

    def latency(p999: float) -> LatencySnapshot:
        route = RouteLatency(route="GET /docs/:id", p999_ms=p999, slo_ms=1200, observations=5000)
        health = SourceHealth(state=HealthState.OK, last_ok_at=frozen_clock.now())
        return LatencySnapshot(observed_at=frozen_clock.now(), health=health, routes=(route,))

    assert await faults.reconcile(latency(900)) == []  # under the guard: stays
    lines = await faults.reconcile(latency(2100))
    assert len(lines) == 1 and "p99.9 2100 ms > 1500 ms" in lines[0]
    assert comparable(api.stored("stage", "docs-api")) == original
    (w,) = (await faults.snapshot()).windows
    assert w.state(frozen_clock.now()) is WindowState.ENDED and "guard" in w.end_reason

    timed = await faults.schedule(request(duration=timedelta(minutes=2)), ERIN)
    frozen_clock.advance(119)
    assert await faults.reconcile() == []
    frozen_clock.advance(2)
    assert (await faults.reconcile()) == [f"{timed.id} stage/docs-api: removed, ended on time"]
    assert comparable(api.stored("stage", "docs-api")) == original
    reconciler = [r.action for r in await src["audit"].records(limit=100) if r.actor != "erin"]
    assert reconciler.count("fault-reconcile-end") == 4 and reconciler.count("fault-start") == 2
    await src.aclose()


async def test_reconcile_without_starts_removes_what_is_due_and_puts_nothing_in(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    """What a read-only dashboard runs (`start=False`): a fault past its end is taken out,
    a window whose time has come stays out of the mesh until a full reconciler runs."""
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    api.seed(virtual_service("stage", "search-api", "search-api"))
    untouched = comparable(api.stored("stage", "search-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    timed = await faults.schedule(request(duration=timedelta(minutes=1)), ERIN)
    soon = await faults.schedule(request(host="search-api", start_in=timedelta(seconds=30)), ERIN)
    frozen_clock.advance(61)
    lines = await faults.reconcile(start=False)
    assert lines == [f"{timed.id} stage/docs-api: removed, ended on time"]
    assert await faults.reconcile(start=False) == []
    assert comparable(api.stored("stage", "search-api")) == untouched  # nothing put in
    due = next(w for w in (await faults.snapshot()).windows if w.id == soon.id)
    assert due.state(frozen_clock.now()) is WindowState.ACTIVE and not due.applied
    records = [r for r in await src["audit"].records(limit=100) if r.phase == "request"]
    assert not [r for r in records if r.action == "fault-start"]
    (end,) = [r for r in records if r.action == "fault-reconcile-end"]
    assert (end.actor, end.details["run_by"], end.details["mode"]) == (
        "watchfloor-reconcile",
        "erin",
        "ends only",
    )
    (line,) = await faults.reconcile()  # a full reconciler starts it
    assert line.startswith(f"{soon.id}: started")
    assert api.stored("stage", "search-api")["metadata"]["annotations"][A_WINDOW] == soon.id  # type: ignore[index]
    await src.aclose()


async def test_a_window_that_passed_with_no_reconciler_says_it_never_started(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    """Scheduled for later, and nothing reconciled until after its end: it read "ended"
    with no reason, as if the fault had run. Nothing goes into the mesh; the store and the
    audit trail say it never started."""
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    untouched = comparable(api.stored("stage", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    w = await faults.schedule(
        request(start_in=timedelta(minutes=1), duration=timedelta(minutes=2)), ERIN
    )
    frozen_clock.advance(4 * 60)
    assert await faults.reconcile() == [f"{w.id}: ended, never started"]
    assert comparable(api.stored("stage", "docs-api")) == untouched
    (listed,) = (await faults.snapshot()).windows
    assert listed.state(frozen_clock.now()) is WindowState.ENDED
    assert (listed.end_reason, listed.applied) == ("ended, never started", False)
    assert await faults.reconcile() == []  # said once
    ends = [r for r in await src["audit"].records(limit=100) if r.action == "fault-reconcile-end"]
    assert [r.phase for r in ends] == ["request", "outcome"]
    assert ends[0].details["reason"] == "ended, never started"
    await src.aclose()


async def test_leak_alert_for_managed_fault_in_protected_namespace_or_past_end(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    w = await faults.schedule(request(duration=timedelta(minutes=1)), ERIN)
    # someone copies the managed object into prod by hand
    copied = copy.deepcopy(api.stored("stage", "docs-api"))
    assert copied is not None
    copied["metadata"] = {k: copied["metadata"][k] for k in ("name", "labels", "annotations")}
    copied["metadata"]["namespace"] = "prod"
    copied["metadata"]["annotations"][A_WINDOW] = "copied"
    api.seed(copied)
    snap = await faults.snapshot()
    alerts = derive({"faults": snap}, frozen_clock.now())
    assert [(a.kind, a.key) for a in alerts] == [(AlertKind.FAULT_LEAK, "fault:copied")]
    frozen_clock.advance(70)  # the stage window is past its end and nobody reconciled yet
    snap = await faults.snapshot()
    alerts = derive({"faults": snap}, frozen_clock.now())
    assert sorted(a.key for a in alerts) == sorted(["fault:copied", f"fault:{w.id}"])
    lines = await faults.reconcile()
    assert len(lines) == 2 and any("protected namespace prod" in line for line in lines)
    assert derive({"faults": await faults.snapshot()}, frozen_clock.now()) == []
    assert api.stored("prod", "docs-api") is not None
    assert not any("fault" in r for r in api.stored("prod", "docs-api")["spec"]["http"])  # type: ignore[index]
    await src.aclose()


@pytest.mark.slow
def test_window_ends_on_time_with_no_dashboard_running(api: FakeKube, data_dir: Path) -> None:
    """Scheduled by one process, removed by `watchfloor faults reconcile --once` in another,
    after the process that opened it is gone."""
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    original = comparable(api.stored("stage", "docs-api"))
    env = {**os.environ, **kube_env(api), "WATCHFLOOR_DATA_DIR": str(data_dir)}
    cmd = watchfloor_cmd()
    opened = subprocess.run(
        [*cmd, "faults", "schedule", "--host", "docs-api", "-n", "stage", "--delay", "800ms",
         "--delay-percent", "30", "--duration", "3s", "--reason", "game day: ends on its own"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    window_id = opened.stdout.split()[0]
    assert api.stored("stage", "docs-api")["metadata"]["annotations"][A_WINDOW] == window_id  # type: ignore[index]
    listed = subprocess.run(
        [*cmd, "faults", "list", "--json"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert [w["id"] for w in json.loads(listed.stdout)["windows"]] == [window_id]
    deadline = time.monotonic() + 30
    ends_at = SystemClock().now() + timedelta(seconds=3)
    while SystemClock().now() < ends_at and time.monotonic() < deadline:
        time.sleep(0.2)
    # a fresh data dir: the reconciler needs nothing but the cluster
    env["WATCHFLOOR_DATA_DIR"] = str(data_dir / "elsewhere")
    done = subprocess.run(
        [*cmd, "faults", "reconcile", "--once"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{window_id} stage/docs-api: removed, ended on time" in done.stdout
    assert comparable(api.stored("stage", "docs-api")) == original
