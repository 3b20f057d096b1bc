"""A restarted dashboard's timeline starts with the recent audit trail: what was granted,
revoked, scheduled and halted before it started, at the records' own times, once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Label

from backends.clock import FrozenClock
from backends.config import load
from backends.models import FaultRequest, FaultSpec
from backends.wiring import build_sources
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tests.test_corrupt_store import corrupt
from tui.app import WatchfloorApp
from tui.operator_actions import Profile
from tui.panes.keyed_table import KeyedTable
from tui.screens.timeline import TimelineScreen

DRILL = FaultRequest(
    spec=FaultSpec(target_host="docs-api", namespace="stage", delay_ms=800, delay_percent=30),
    reason="latency drill before the restart",
    duration=timedelta(minutes=30),
)
ALICE = "alice:sre-oncall"  # the earlier grant's audit target (subject:role)


async def earlier_grant_and_window(clock: FrozenClock) -> str:
    """What an earlier session did, through the backends, at 09:00:00Z; the step-up
    secret it enrolled (one per data dir)."""
    src = local_sources(clock)
    secret = await enroll(src)
    await src["grants"].grant(req(code_at(secret, clock.now())), ME)
    await src["faults"].schedule(DRILL, ME)
    await src.aclose()
    return secret


def rows(screen: TimelineScreen) -> list[tuple[str, str, str]]:
    table = screen.query_one(KeyedTable)
    out = []
    for i in range(table.row_count):
        time, kind, text = (str(c) for c in table.get_row_at(i))
        out.append((time, kind, text))
    return out


def report_timeline(where: Path) -> str:
    """The timeline section of the one game-day report written to `where`."""
    (report,) = where.glob("gameday-*.md")
    return report.read_text().split("## Timeline", 1)[1]


def title(screen: TimelineScreen) -> str:
    return str(screen.query_one(Label).render())


async def open_timeline(pilot: Pilot[None], app: WatchfloorApp, expect: str) -> TimelineScreen:
    """`t`, then wait until its title says `expect` (the history is read after the first
    paint, and an open timeline takes it in when it arrives)."""
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="the timeline")
    screen = app.screen
    assert isinstance(screen, TimelineScreen)
    await wait_for(pilot, lambda: expect in title(screen), 5, what=f"{expect!r} in the title")
    return screen


async def test_a_restarted_dashboard_shows_the_earlier_grant_at_its_own_time(
    frozen_clock: FrozenClock,
) -> None:
    await earlier_grant_and_window(frozen_clock)  # 09:00:00Z
    frozen_clock.advance(600)  # the SSH session dropped; watchfloor again at 09:10:00Z
    app = local_app(frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_timeline(pilot, app, "from the audit trail")
        assert "since 2026-03-15 21:10Z from the audit trail" in title(screen)  # the last 12 h
        shown = rows(screen)
        (grant,) = [r for r in shown if ALICE in r[2]]
        assert grant[:2] == ("09:00:00Z", "audit")  # its own time, marked as from the trail
        # as a live row says it: how long, until when (it read "applied: INC-4711 ...")
        said = f"dave grant {ALICE} applied for 30m00s, until 09:30:00Z: {req().reason} (grant "
        assert grant[2].startswith(said)
        (window,) = [r for r in shown if "fault-schedule" in r[2]]
        assert window[:2] == ("09:00:00Z", "audit")
        assert f"stage/docs-api applied: {DRILL.reason} (window " in window[2]
        times = [r[0] for r in shown]
        assert times == sorted(times, reverse=True)  # newest first, live and audit together


PROFILES = """
[profiles.other]
environment = "stage"
[profiles.other.backends.local]
seed = 9
"""


async def test_an_action_after_start_is_in_the_timeline_once_after_the_trail_is_read_again(
    frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    """A profile switch reads the trail again; what this dashboard did (and saw) since it
    started is in that trail too, and must not come back as a second event."""
    secret = await earlier_grant_and_window(frozen_clock)
    frozen_clock.advance(600)
    cfg = tmp_path / "c.toml"
    cfg.write_text(PROFILES)
    sources = build_sources(load(cfg), clock=frozen_clock)
    app = WatchfloorApp(
        sources,
        clock=frozen_clock,
        profiles=("other",),
        switch_profile_to=lambda name: Profile(
            build_sources(load(cfg, profile=name), frozen_clock)
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("g")
        for text in ("erin", "sre-oncall", "INC-77 fix"):
            await pilot.press(*text, "enter")
        await pilot.press("enter", *code_at(secret, frozen_clock.now()), "enter")
        await wait_for(
            pilot,
            lambda: any("to erin" in e.text for e in app.timeline.events),
            what="erin's grant seen live",
        )
        await app.switch_profile("other")  # the same data dir: the same audit trail
        await wait_for(pilot, app.all_panes_filled, what="data after the switch")
        screen = await open_timeline(pilot, app, "from the audit trail")
        shown = rows(screen)
        erin = [r for r in shown if "erin" in r[2]]
        assert len(erin) == 1, erin
        alice = [r for r in shown if ALICE in r[2]]
        assert len(alice) == 1 and alice[0][:2] == ("09:00:00Z", "audit"), alice


async def test_an_unreadable_audit_trail_leaves_the_timeline_working(data_dir: Path) -> None:
    store, _ = await asyncio.to_thread(corrupt, data_dir)
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.snapshots["latency"] is not None, what="latency")
        await pilot.press("b")  # still a working timeline: a baseline is a note in it
        screen = await open_timeline(pilot, app, "could not be loaded")
        assert f"{store}: file is not a database" in title(screen)
        assert any(r[2].startswith("baseline marked") for r in rows(screen))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]


async def test_the_report_includes_the_audit_history_and_says_so(
    frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    await earlier_grant_and_window(frozen_clock)
    frozen_clock.advance(600)
    app = local_app(frozen_clock)
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await wait_for(
            pilot,
            lambda: any(ALICE in e.text for e in app.timeline.newest_first()),
            5,
            what="the earlier grant in the timeline",
        )
        await pilot.press("x")
        await wait_for(pilot, lambda: any(tmp_path.glob("gameday-*.md")), what="the report")
    timeline = report_timeline(tmp_path)
    said = f"dave grant {ALICE} applied for 30m00s, until 09:30:00Z: {req().reason} (grant "
    assert f"| 09:00:00Z | audit | {said}" in timeline
    assert "from the audit trail" in timeline and "since 2026-03-15 21:10Z" in timeline


LATER = DRILL.model_copy(update={"start_in": timedelta(hours=1), "reason": "latency drill at ten"})


async def test_a_window_scheduled_for_later_says_when_it_starts_not_applied(
    frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    """At 09:00 a window was scheduled for 10:00: its audit outcome read "applied" in the
    timeline and the report, as if in the mesh since 09:00. One that starts at once still
    reads "applied"."""
    src = local_sources(frozen_clock)
    await src["faults"].schedule(LATER, ME)
    await src["faults"].schedule(DRILL, ME)
    await src.aclose()
    frozen_clock.advance(600)
    app = local_app(frozen_clock)
    app.screenshot_dir = tmp_path
    later = f"dave fault-schedule stage/docs-api scheduled, starts 10:00:00Z: {LATER.reason}"
    at_once = f"dave fault-schedule stage/docs-api applied: {DRILL.reason}"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_timeline(pilot, app, "from the audit trail")
        shown = {r[2].split(" (window ")[0]: r[:2] for r in rows(screen) if "fault-" in r[2]}
        assert shown == {later: ("09:00:00Z", "audit"), at_once: ("09:00:00Z", "audit")}
        await pilot.press("escape", "x")
        await wait_for(pilot, lambda: any(tmp_path.glob("gameday-*.md")), what="the report")
    timeline = report_timeline(tmp_path)
    assert f"| 09:00:00Z | audit | {later} (window " in timeline
    assert f"| 09:00:00Z | audit | {at_once} (window " in timeline


async def test_a_window_starting_on_another_day_has_its_date_in_the_audit_outcome(
    frozen_clock: FrozenClock,
) -> None:
    frozen_clock.advance(14.5 * 3600)  # 23:30Z: it starts after midnight
    src = local_sources(frozen_clock)
    await src["faults"].schedule(LATER, ME)
    records = await src["audit"].records(10)
    await src.aclose()
    (outcome,) = [r.outcome for r in records if r.phase == "outcome"]
    assert outcome == "scheduled, starts 2026-03-17 00:30:00Z"
