"""The timeline diffs snapshots into events; the report renders them with p99.9 before/after."""

from __future__ import annotations

from datetime import timedelta

from backends.models import (
    Alert,
    AlertKind,
    FaultSpec,
    FaultsSnapshot,
    FaultWindow,
    Grant,
    GrantsSnapshot,
    HealthState,
    LatencySnapshot,
    ReleaseRun,
    ReleaseSnapshot,
    RouteLatency,
    SourceHealth,
    StageStatus,
)
from backends.report import game_day_report
from backends.timeline import Timeline
from tests.conftest import T0

OK = SourceHealth(state=HealthState.OK, last_ok_at=T0)


def grants(*ids: str) -> GrantsSnapshot:
    return GrantsSnapshot(
        observed_at=T0,
        health=OK,
        grants=tuple(
            Grant(
                id=i,
                subject=f"{i}@x",
                role="sre-oncall",
                reason="INC-1 drill",
                granted_by="dave",
                granted_at=T0,
                expires_at=T0 + timedelta(minutes=30),
            )
            for i in ids
        ),
    )


def test_grants_and_revokes_become_events_but_not_the_initial_state() -> None:
    tl = Timeline()
    tl.observe(grants("a", "b"), T0)
    assert list(tl.events) == []  # what was there at start is not news
    tl.observe(grants("b", "c"), T0 + timedelta(seconds=1))
    kinds = [(e.kind, e.text.split(" ")[0]) for e in tl.events]
    assert kinds == [("grant", "dave"), ("grant", "grant")]
    assert "c@x" in tl.events[0].text and "grant a " in tl.events[1].text
    # its source does not say how it ended: nobody is said to have revoked it
    assert tl.events[1].text == (
        "grant a (sre-oncall for a@x) no longer listed by its source (not revoked or expired here)"
    )


def test_a_grant_that_ran_out_expired_and_one_revoked_here_is_noted_once() -> None:
    """A grant that ran out read "revoke grant … ended", as if someone had revoked it."""
    tl = Timeline()
    tl.observe(grants("a", "b"), T0)
    later = T0 + timedelta(minutes=31)  # both past their 30 minutes
    tl.note(later, "revoke", "root revoked grant b (sre-oncall for b@x): done", "grant:b:end")
    tl.observe(grants(), later)
    assert [(e.kind, e.text) for e in tl.events] == [
        ("revoke", "root revoked grant b (sre-oncall for b@x): done"),  # not twice
        (
            "grant",
            f"grant a (sre-oncall for a@x) expired at {T0 + timedelta(minutes=30):%H:%M:%S}Z",
        ),
    ]


def drill(start_s: float, end_s: float) -> FaultWindow:
    """erin's latency drill on stage/docs-api, from T0 + start_s to T0 + end_s."""
    return FaultWindow(
        id="w1",
        spec=FaultSpec(target_host="docs-api", namespace="stage", delay_ms=800, delay_percent=30),
        owner="erin",
        reason="latency drill",
        starts_at=T0 + timedelta(seconds=start_s),
        ends_at=T0 + timedelta(seconds=end_s),
    )


def test_fault_window_transitions() -> None:
    """Active when its fault is in (`applied`, as the source reports it), not when its
    time comes: a read-only dashboard's reconciler starts nothing."""
    w = drill(10, 70)
    tl = Timeline()
    snap = FaultsSnapshot(observed_at=T0, health=OK, windows=())
    tl.observe(snap, T0)
    for s, applied in ((0, False), (5, False), (12, False), (15, True), (80, False), (90, False)):
        seen = w.model_copy(update={"applied": applied})
        tl.observe(snap.model_copy(update={"windows": (seen,)}), T0 + timedelta(seconds=s))
    assert [e.text.split(" ")[-5] for e in tl.events] == ["scheduled", "active", "ended"]
    assert tl.events[1].at == T0 + timedelta(seconds=15)  # started then, not at 10 s


def test_a_window_ended_early_says_why() -> None:
    """HALT ALL, a guard or someone ending it: the game-day report says which."""
    w = drill(0, 600).model_copy(update={"applied": True, "started_at": T0})  # it ran
    tl = Timeline()
    tl.observe(FaultsSnapshot(observed_at=T0, health=OK, windows=(w,)), T0)
    halted = w.model_copy(
        update={
            "ended_early_at": T0 + timedelta(seconds=30),
            "end_reason": "HALT ALL: drill over",
            "applied": False,
        }
    )
    later = T0 + timedelta(seconds=31)
    tl.observe(FaultsSnapshot(observed_at=later, health=OK, windows=(halted,)), later)
    (event,) = tl.events
    assert event.text.endswith("(owner erin: latency drill); ended early, HALT ALL: drill over")


def test_a_cut_finishing_is_one_event_though_it_is_current_and_recent() -> None:
    """The timeline said 'v2 success' twice: a finished cut is the snapshot's `current`
    and the first of its `recent` at once."""

    def cut(status: StageStatus) -> ReleaseRun:
        return ReleaseRun(id="r2", version="v2", status=status, started_at=T0)

    old = ReleaseRun(id="r1", version="v1", status=StageStatus.SUCCESS, started_at=T0)
    t = Timeline()
    running = cut(StageStatus.RUNNING)
    t.observe(ReleaseSnapshot(observed_at=T0, health=OK, current=running, recent=(old,)), T0)
    done = cut(StageStatus.SUCCESS)
    t.observe(ReleaseSnapshot(observed_at=T0, health=OK, current=done, recent=(done, old)), T0)
    assert [e.text for e in t.events] == ["v2 success"]


def test_alerts_raised_and_cleared() -> None:
    a = Alert(
        kind=AlertKind.P999_REGRESSION,
        key="p999:GET /search",
        raised_at=T0,
        message="GET /search p99.9 520 ms, +30%",
    )
    tl = Timeline()
    tl.observe_alerts([a], T0)
    worse = a.model_copy(update={"message": "GET /search p99.9 610 ms, +52%"})
    tl.observe_alerts([worse], T0 + timedelta(seconds=1))
    tl.observe_alerts([], T0 + timedelta(seconds=92))
    assert [e.text for e in tl.events] == [
        "raised p99.9 regression: GET /search p99.9 520 ms, +30%",
        # which route, as last seen, and for how long (it said only "cleared p99.9 regression")
        "cleared p99.9 regression: was GET /search p99.9 520 ms, +30% when raised,"
        " GET /search p99.9 610 ms, +52% last; lasted 1m32s",
    ]


def test_report_has_before_after_alerts_and_timeline() -> None:
    def lat(p: float) -> LatencySnapshot:
        return LatencySnapshot(
            observed_at=T0,
            health=OK,
            routes=(RouteLatency(route="GET /search", p999_ms=p, slo_ms=400, observations=5000),),
        )

    tl = Timeline()
    tl.note(T0, "note", "baseline marked: GET /search 400 ms")
    alert = Alert(kind=AlertKind.P999_REGRESSION, key="k", raised_at=T0, message="+30%")
    md = game_day_report(
        now=T0,
        environment="stage",
        events=tl.newest_first(),
        alerts=[alert],
        first_seen={"GET /search": 380.0},
        latency=lat(520),
        baselines={"GET /search": 400.0},
        first_seen_at=T0 - timedelta(minutes=2),
        baseline_at=T0,
    )
    assert md.startswith("# Game-day report — stage")
    assert "| GET /search | 400 ms | 400 ms | 380 ms | 520 ms | +30.0% |" in md
    assert "Baseline marked at 09:00:00Z. First seen at 08:58:00Z." in md
    assert "**p99.9 regression**" in md
    assert "baseline marked" in md


async def test_timeline_screen_shows_a_long_detail_whole_when_there_is_room() -> None:
    from textual.app import App

    from backends.timeline import Event
    from tui.panes.keyed_table import KeyedTable
    from tui.screens.timeline import TimelineScreen

    detail = "policy deny spike: deny rate 21.8% vs baseline 8.5%; worst tenant=acme 43%"
    app: App[None] = App()
    async with app.run_test(size=(160, 30)) as pilot:
        await app.push_screen(TimelineScreen([Event(T0, "alert", detail)]))
        await pilot.pause()
        table = app.screen.query_one(KeyedTable)
        assert detail in table.render_line(1).text  # not cut at 40 columns


def test_an_alert_held_before_it_is_listed_says_since_when_its_condition_held() -> None:
    """The strip said "12:57:56Z WARN p99.9 over SLO" (when it began) and the timeline
    "12:58:27Z alert raised p99.9 over SLO" (when the 30 s hold ran out), with nothing to
    say they were the same alert."""
    a = Alert(
        kind=AlertKind.P999_OVER_SLO,
        key="slo:GET /search",
        raised_at=T0,
        message="GET /search p99.9 480 ms > SLO 400 ms",
    )
    tl = Timeline()
    tl.observe_alerts([a], T0 + timedelta(seconds=31))
    assert [e.text for e in tl.events] == [
        "raised p99.9 over SLO: GET /search p99.9 480 ms > SLO 400 ms"
        " (since 09:00:00Z, held 31s before alerting)"
    ]


def test_a_window_that_ran_its_length_is_not_called_ended_early() -> None:
    """ "ended (…); ended early, ended on time" when the reconciler had written its reason
    by the time the timeline saw the end."""
    w = drill(0, 60)
    tl = Timeline()
    tl.observe(FaultsSnapshot(observed_at=T0, health=OK, windows=(w,)), T0)
    done = w.model_copy(update={"end_reason": "ended on time"})
    later = T0 + timedelta(seconds=61)
    tl.observe(FaultsSnapshot(observed_at=later, health=OK, windows=(done,)), later)
    (event,) = tl.events
    assert event.text.endswith("(owner erin: latency drill); ended on time")


def test_a_window_halted_before_its_start_is_cancelled_in_the_timeline() -> None:
    w = drill(300, 900)
    tl = Timeline()
    tl.observe(FaultsSnapshot(observed_at=T0, health=OK, windows=(w,)), T0)
    halted = w.model_copy(
        update={"ended_early_at": T0 + timedelta(seconds=30), "end_reason": "HALT ALL: pager"}
    )
    later = T0 + timedelta(seconds=31)
    tl.observe(FaultsSnapshot(observed_at=later, health=OK, windows=(halted,)), later)
    (event,) = tl.events
    assert event.text == (
        "fault window w1 on stage/docs-api cancelled before it started, nothing injected"
        " (owner erin: latency drill); HALT ALL: pager"
    )
