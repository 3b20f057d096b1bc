"""Rollback rehearsals in the timeline (`t`) and the game-day report (`x`): each names its
run, the release it rolls back and, for a manual one, who triggered it and why; and a
manual one's outcome is recorded even when an automatic one starts while it runs (the
timeline said "rollback rehearsal running" / "… success" six times, naming nothing, and
a manual rehearsal overtaken by the automatic one never had its outcome noted)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backends.clock import FrozenClock
from backends.models import ReleaseSnapshot, StageStatus
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.screens.rehearsal import RehearsalScreen
from tui.screens.timeline import TimelineScreen

# At T0 the simulation's m3 is the latest release; m5 publishes at T0 + 286.6 s and its
# automatic rehearsal runs until T0 + 325.4 s. The manual one, triggered at T0 + 280 s,
# takes 20-40 s: the automatic one starts while it runs.
REASON = "monthly rollback drill before m5 publishes"
MANUAL = "rollback rehearsal rehearsal-manual-1 of v2026.03.16-m3"
AUTO = "rollback rehearsal rehearsal-m5 of v2026.03.16-m5"
AUTOMATIC = "triggered by release-train: automatic, after the cut published"


def release(app: WatchfloorApp) -> ReleaseSnapshot | None:
    snap = app.snapshots.get("release")
    return snap if isinstance(snap, ReleaseSnapshot) else None


def running(app: WatchfloorApp, run_id: str) -> bool:
    snap = release(app)
    reh = snap.rehearsal if snap is not None else None
    return reh is not None and reh.run_id == run_id and reh.status is StageStatus.RUNNING


def texts(app: WatchfloorApp) -> list[str]:
    return [e.text for e in app.timeline.newest_first() if e.kind == "rehearsal"]


def reports(where: Path) -> list[str]:
    return [p.read_text() for p in sorted(where.glob("gameday-*.md"))]


async def test_rehearsals_name_run_release_actor_and_reason_and_each_outcome(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "0.2")
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: release(app) is not None, what="release data")
        by = f"triggered by {app.sources.ctx.actor}: {REASON}"  # who is at the keyboard
        clock.advance(280)  # m5 still running: m3 is the latest release
        await wait_for(pilot, lambda: app.timeline.newest_first() != [], what="events")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen), what="dialog")
        await pilot.press(*REASON, "enter", *"ROLLBACK", "enter")
        await wait_for(pilot, lambda: running(app, "rehearsal-manual-1"), what="the manual one")
        await wait_for(pilot, lambda: any(MANUAL in t for t in texts(app)), what="its event")

        clock.advance(10)  # m5 publishes: its automatic rehearsal starts, the manual runs on
        await wait_for(pilot, lambda: running(app, "rehearsal-m5"), what="the automatic one")
        snap = release(app)
        assert snap is not None
        assert [(r.run_id, r.status) for r in snap.rehearsals[:2]] == [
            ("rehearsal-m5", StageStatus.RUNNING),
            ("rehearsal-manual-1", StageStatus.RUNNING),
        ]
        clock.advance(60)  # both done
        await wait_for(pilot, lambda: len(texts(app)) == 4, what="both outcomes")
        assert texts(app) == [  # newest first
            f"{AUTO} success, {AUTOMATIC}",
            f"{MANUAL} success, {by}",
            f"{AUTO} running, {AUTOMATIC}",
            f"{MANUAL} running, {by}",
        ]

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="timeline")
        assert isinstance(app.screen, TimelineScreen)
        shown = [e.text for e in app.screen.events]
        assert f"{MANUAL} success, {by}" in shown and f"{AUTO} success, {AUTOMATIC}" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, TimelineScreen), what="back")
        await pilot.press("x")
        await pilot.pause()
        by = f"triggered by {app.sources.ctx.actor}: {REASON}"
    (md,) = await asyncio.to_thread(reports, data_dir)
    assert f"| rehearsal | {MANUAL} success, {by} |" in md
    assert f"| rehearsal | {AUTO} running, {AUTOMATIC} |" in md


def test_a_forge_rehearsal_is_named_by_its_run_and_a_gap_in_the_feed_is_no_news() -> None:
    """GitHub's: only the latest run, no actor or release known; a poll without it (a
    failed fetch) and the same run again do not make it new."""
    from datetime import timedelta

    from backends.models import HealthState, Rehearsal, SourceHealth
    from backends.timeline import Timeline

    def snap(s: float, run: str, status: StageStatus | None) -> ReleaseSnapshot:
        at = T0 + timedelta(seconds=s)
        reh = Rehearsal(status=status, run_id=run, started_at=at) if status else None
        ok = SourceHealth(state=HealthState.OK, last_ok_at=at)
        return ReleaseSnapshot(observed_at=at, health=ok, rehearsal=reh)

    tl = Timeline()
    ok, queued = StageStatus.SUCCESS, StageStatus.PENDING
    feed = [("9000", ok), ("9001", queued), ("", None), ("9001", queued), ("9001", ok)]
    for s, (run, status) in enumerate(feed):
        tl.observe(snap(s, run, status), T0 + timedelta(seconds=s))
    assert [e.text for e in tl.events] == [
        "rollback rehearsal 9001 pending",
        "rollback rehearsal 9001 success",
    ]
