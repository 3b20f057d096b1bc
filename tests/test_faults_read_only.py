"""A read-only dashboard never puts a fault in. Its reconcile loop still ends what is due
(on time, a guard), audited as the reconciler run by this dashboard's operator, and starts
nothing; the faults pane says so, and a window whose time has come shows as not started
here. A profile switch changes it at once. Local backends, a frozen clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from backends.clock import FrozenClock
from backends.config import load
from backends.local.faults import LocalFaults
from backends.models import (
    Actor,
    FaultRequest,
    FaultSpec,
    FaultsSnapshot,
    FaultWindow,
    WindowState,
)
from backends.wiring import build_sources
from tests.helpers import SIZE, local_sources, wait_for
from tui import fault_reconcile
from tui.app import WatchfloorApp
from tui.operator_actions import Profile
from tui.panes.faults import FaultsPane

ERIN = Actor(name="erin")
DOCS = "GET /docs/:id"
NOT_STARTED = "due, not started (read-only here)"
ENDS_ONLY = "Fault windows · reconciler: ends only (read-only)"
THIS_ONE = "Fault windows · reconciler: this dashboard"
PROFILES = """
[profiles.prod]
environment = "prod"
[profiles.prod.ui]
read_only = true
[profiles.stage]
environment = "stage"
"""


def req(host: str = "docs-api", **kw: Any) -> FaultRequest:
    spec = FaultSpec(target_host=host, namespace="stage", delay_ms=3000, delay_percent=20)
    return FaultRequest(spec=spec, reason="game day: latency drill", **kw)


@pytest.fixture(autouse=True)
def fast_reconcile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fault_reconcile, "RECONCILE_S", 0.1)


@pytest.fixture
def rounds(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each reconcile round the dashboard ran could start windows (`start`)."""
    seen: list[bool] = []
    real: Callable[..., Awaitable[list[str]]] = LocalFaults.reconcile

    async def counted(self: LocalFaults, latency: Any = None, **kw: Any) -> list[str]:
        seen.append(kw.get("start", True))
        return await real(self, latency, **kw)

    monkeypatch.setattr(LocalFaults, "reconcile", counted)
    return seen


async def more_rounds(pilot: Pilot[None], rounds: list[bool], n: int = 3) -> None:
    """Wait until the dashboard has run `n` more reconcile rounds."""
    target = len(rounds) + n
    await wait_for(pilot, lambda: len(rounds) >= target, what=f"{n} reconcile rounds")


def mode(app: WatchfloorApp) -> str:
    """The faults pane's title, which says the reconcile loop's mode."""
    return str(app.query_one(FaultsPane).border_title)


def row(app: WatchfloorApp, window_id: str) -> str:
    table = app.query_one(FaultsPane).table()
    return str(table.get_row(window_id)) if window_id in table.rows else ""


async def window(app: WatchfloorApp, window_id: str) -> FaultWindow:
    snap: FaultsSnapshot = await app.sources["faults"].snapshot()
    return next(w for w in snap.windows if w.id == window_id)


async def p999(app: WatchfloorApp) -> float:
    snap = await app.sources["latency"].snapshot()
    value = next(r.p999_ms for r in snap.routes if r.route == DOCS)
    assert value is not None
    return float(value)


async def test_a_read_only_dashboard_ends_due_windows_and_starts_none(
    frozen_clock: FrozenClock, rounds: list[bool]
) -> None:
    opener = local_sources(frozen_clock)  # another dashboard, or `watchfloor faults schedule`
    soon = await opener["faults"].schedule(req(start_in=timedelta(seconds=5)), ERIN)
    short = await opener["faults"].schedule(
        req("search-api", duration=timedelta(seconds=30)), ERIN
    )  # started at once
    await opener.aclose()

    app = WatchfloorApp(local_sources(frozen_clock), clock=frozen_clock, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        assert mode(app) == ENDS_ONLY
        calm = await p999(app)
        frozen_clock.advance(40)  # `soon` is due, `short` is past its end
        await more_rounds(pilot, rounds)
        await app.refresh_now("faults")
        await wait_for(pilot, lambda: NOT_STARTED in row(app, soon.id), what="due, not started")
        assert set(rounds) == {False}  # no round of this dashboard could start anything

        due = await window(app, soon.id)
        assert due.state(frozen_clock.now()) is WindowState.ACTIVE and not due.applied
        frozen_clock.advance(60)
        assert await p999(app) < max(2500.0, 2 * calm)  # the simulation never felt it
        assert not any(soon.id in e.text and " active " in e.text for e in app.timeline.events), (
            "a window not started is not noted as active"
        )

        ended = await window(app, short.id)
        assert (ended.applied, ended.end_reason) == (False, "ended on time")
        await app.refresh_now("faults")
        await wait_for(pilot, lambda: "ended on time" in row(app, short.id), what="ended shown")
        records = await app.sources["audit"].records(limit=200)
        assert not [r for r in records if r.action == "fault-start"]
        ends = [
            (r.actor, r.details.get("window_id"), r.details.get("run_by"), r.details.get("mode"))
            for r in records
            if r.action == "fault-reconcile-end" and r.phase == "request"
        ]
        assert ends == [("watchfloor-reconcile", short.id, app.sources.ctx.actor, "ends only")]


async def test_a_switch_to_a_read_only_profile_stops_starts_at_once(
    tmp_path: Path, frozen_clock: FrozenClock, rounds: list[bool]
) -> None:
    cfg = tmp_path / "profiles.toml"
    await asyncio.to_thread(cfg.write_text, PROFILES)

    def switch(name: str) -> Profile:
        return Profile(build_sources(load(cfg, profile=name), clock=frozen_clock))

    stage = build_sources(load(cfg, profile="stage"), clock=frozen_clock)
    app = WatchfloorApp(
        stage,
        clock=frozen_clock,
        profiles=("prod", "stage"),
        active_profile="stage",
        switch_profile_to=switch,
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        assert mode(app) == THIS_ONE
        soon = await app.sources["faults"].schedule(req(start_in=timedelta(seconds=5)), ERIN)

        await app.switch_profile("prod")
        assert mode(app) == ENDS_ONLY  # at once, not at the next round
        await more_rounds(pilot, rounds)
        frozen_clock.advance(10)
        await more_rounds(pilot, rounds)
        await app.refresh_now("faults")
        await wait_for(pilot, lambda: NOT_STARTED in row(app, soon.id), what="due, not started")
        assert rounds[-3:] == [False, False, False]
        assert not (await window(app, soon.id)).applied

        await app.switch_profile("stage")
        assert mode(app) == THIS_ONE
        await more_rounds(pilot, rounds)
        assert (await window(app, soon.id)).applied  # started by this dashboard again
        records = await app.sources["audit"].records(limit=200)
        starts = [
            (r.actor, r.details.get("window_id"), r.details.get("run_by"))
            for r in records
            if r.action == "fault-start" and r.phase == "request"
        ]
        assert starts == [("watchfloor-reconcile", soon.id, app.sources.ctx.actor)]
