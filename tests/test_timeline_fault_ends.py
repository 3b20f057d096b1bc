"""A fault window's end is in the timeline once, at the window's own end time, however the
dashboard learns of it: seen ending, already ended in its first snapshot (the start-up
reconcile round ends windows that ran out while no dashboard ran), or from the audit trail.

Before: windows the dashboard's reconciler ended at start-up were never in the timeline
(the first poll showed them ended already: no change seen; the trail was read before the
round), nor in the report's timeline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from backends.clock import FrozenClock
from backends.models import FaultRequest, FaultSpec, FaultsSnapshot
from backends.timeline import Event, Timeline, window_key
from tests.conftest import T0
from tests.grant_helpers import ME
from tests.helpers import local_app, local_sources, wait_for
from tests.test_timeline_history import open_timeline, report_timeline, rows
from tests.test_timeline_report import OK, drill
from tui.screens.filter import FilterScreen
from tui.screens.timeline import TimelineScreen

HOSTS = ("search-api", "docs-api", "gateway")


def one_minute(host: str) -> FaultRequest:
    return FaultRequest(
        spec=FaultSpec(target_host=host, namespace="stage", delay_ms=300, delay_percent=10),
        reason=f"one minute on {host}",
        duration=timedelta(minutes=1),
    )


async def windows_run_out_with_no_dashboard(clock: FrozenClock) -> list[str]:
    """`watchfloor faults schedule … --duration 1m` three times at 09:00:00Z, then 75 s
    with no dashboard running (nothing records their end)."""
    src = local_sources(clock)
    ids = [(await src["faults"].schedule(one_minute(h), ME)).id for h in HOSTS]
    await src.aclose()
    clock.advance(75)
    return ids


async def test_windows_ended_by_the_start_up_reconcile_are_in_the_timeline_and_report(
    frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    ids = await windows_run_out_with_no_dashboard(frozen_clock)
    app = local_app(frozen_clock)
    app.screenshot_dir = tmp_path
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await wait_for(
            pilot,
            lambda: sum("ended on time" in e.text for e in app.timeline.newest_first()) >= 3,
            10,
            what="the reconciler's ends in the timeline",
        )
        screen = await open_timeline(pilot, app, "from the audit trail")
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen), what="filter")
        await pilot.press(*ids[0], "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="back")
        await pilot.pause()
        shown = rows(screen)
        ends = [r for r in shown if "ended" in r[2]]
        assert ends == [
            (
                "09:01:00Z",  # the window's own end, not when the dashboard started
                "fault",
                f"fault window {ids[0]} on stage/search-api ended"
                " (owner dave: one minute on search-api); ended on time",
            )
        ], shown
        assert any("fault-schedule" in r[2] for r in shown), shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.screen_stack[0], what="the dashboard")
        await pilot.press("x")
        await wait_for(pilot, lambda: any(tmp_path.glob("gameday-*.md")), what="the report")
    timeline = report_timeline(tmp_path)
    for wid, host in zip(ids, HOSTS, strict=True):
        line = (
            f"| 09:01:00Z | fault | fault window {wid} on stage/{host} ended"
            f" (owner dave: one minute on {host}); ended on time |"
        )
        assert timeline.count(line) == 1, timeline
        assert timeline.count(f"window {wid}") == 2  # its end, and its schedule (audit)


def test_a_window_ended_in_the_first_snapshot_is_one_end_event_at_its_end() -> None:
    """Ended by its time but not yet recorded, then the reconciler writes why: one event,
    at its end, saying why (it said nothing at all before)."""
    w = drill(0, 60)
    tl = Timeline()
    at = T0 + timedelta(seconds=75)
    tl.observe(FaultsSnapshot(observed_at=at, health=OK, windows=(w,)), at)
    done = w.model_copy(update={"end_reason": "ended on time"})
    for s in (77, 80):
        later = T0 + timedelta(seconds=s)
        tl.observe(FaultsSnapshot(observed_at=later, health=OK, windows=(done,)), later)
    (event,) = tl.events
    assert event.at == T0 + timedelta(seconds=60)
    assert event.key == window_key("w1", "end")
    assert event.text.endswith("(owner erin: latency drill); ended on time")


def test_a_window_seen_ending_before_the_reconciler_wrote_why_is_said_again_in_place() -> None:
    w = drill(0, 60).model_copy(update={"applied": True})
    tl = Timeline()
    tl.observe(FaultsSnapshot(observed_at=T0, health=OK, windows=(w,)), T0)
    ended = w.model_copy(update={"applied": False})
    at = T0 + timedelta(seconds=61)
    tl.observe(FaultsSnapshot(observed_at=at, health=OK, windows=(ended,)), at)
    assert [e.text.split(" (")[0] for e in tl.events] == ["fault window w1 on stage/docs-api ended"]
    done = ended.model_copy(update={"end_reason": "ended on time"})
    at = T0 + timedelta(seconds=63)
    tl.observe(FaultsSnapshot(observed_at=at, health=OK, windows=(done,)), at)
    (event,) = tl.events
    assert event.at == T0 + timedelta(seconds=60) and event.text.endswith("; ended on time")


def test_the_trail_and_the_first_snapshot_both_bring_an_end_it_is_shown_once() -> None:
    """The live event (at the window's end, with what it injected where) stands for both."""
    done = drill(0, 60).model_copy(update={"end_reason": "ended on time"})
    tl = Timeline()
    trail = Event(
        T0 + timedelta(seconds=75),
        "audit",
        "watchfloor-reconcile fault-reconcile-end stage/docs-api applied: ended on time"
        " (window w1)",
        window_key("w1", "end"),
    )
    tl.add_history({"r1": trail}, T0 - timedelta(hours=12))
    at = T0 + timedelta(seconds=80)
    tl.observe(FaultsSnapshot(observed_at=at, health=OK, windows=(done,)), at)
    tl.rebase()  # a profile switch to the same data: its first snapshot has it again
    tl.observe(FaultsSnapshot(observed_at=at, health=OK, windows=(done,)), at)
    tl.add_history({"r1": trail}, T0 - timedelta(hours=12))  # and the trail is read again
    (event,) = tl.newest_first()
    assert (event.kind, event.at) == ("fault", T0 + timedelta(seconds=60))
