"""The plan's alerts derived from snapshots: each fires on its condition and not otherwise."""

from __future__ import annotations

from datetime import datetime, timedelta

from backends.alert_acks import Ack
from backends.alerts import AlertBook, derive
from backends.models import (
    AccessSnapshot,
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
    ReleaseStage,
    SourceHealth,
    StageStatus,
)
from tests.conftest import T0

OK = SourceHealth(state=HealthState.OK, last_ok_at=T0)


def ack_newest(book: AlertBook) -> Alert | None:
    """`a`: the top alert, claimed and confirmed (its ack audited)."""
    a = book.claim_newest()
    if a is not None:
        book.confirm(a.key, Ack("dave", T0))
    return a


def kinds(snaps: dict[str, object], now: datetime = T0, **kw: object) -> list[AlertKind]:
    return [a.kind for a in derive(snaps, now, **kw)]  # type: ignore[arg-type]


def access(total: int, denied: int, baseline: float) -> AccessSnapshot:
    return AccessSnapshot(
        observed_at=T0,
        health=OK,
        total=total,
        denied=denied,
        deny_rate=denied / total,
        baseline_rate=baseline,
    )


def test_deny_spike_against_trailing_baseline() -> None:
    assert kinds({"access": access(1000, 60, 0.05)}) == []
    assert kinds({"access": access(1000, 300, 0.05)}) == [AlertKind.DENY_SPIKE]
    # a high but steady rate is not a spike; a tiny sample is not one either
    assert kinds({"access": access(1000, 300, 0.28)}) == []
    assert kinds({"access": access(20, 15, 0.05)}) == []


def grant(minutes: float) -> Grant:
    return Grant(
        id=f"g{minutes}",
        subject="alice",
        role="sre-oncall",
        reason="INC-1 fix",
        granted_by="bob",
        granted_at=T0 - timedelta(hours=1),
        expires_at=T0 + timedelta(minutes=minutes),
    )


def test_ttl_expired_still_active() -> None:
    snap = GrantsSnapshot(observed_at=T0, health=OK, grants=(grant(5), grant(-1)))
    alerts = derive({"grants": snap}, T0)
    assert [(a.kind, a.key) for a in alerts] == [(AlertKind.TTL_EXPIRED_ACTIVE, "grant:g-1")]


def test_ttl_running_out_between_polls_is_not_an_alert() -> None:
    """A grant with 1 s left at the last poll has run out on the clock 2 s later, before
    the source was asked again (the local store drops it on that next read): no alert.
    Listed by a poll after its expiry (past the reaper's grace), it is one."""
    polled = GrantsSnapshot(observed_at=T0, health=OK, grants=(grant(1 / 60),))
    assert kinds({"grants": polled}, T0 + timedelta(seconds=2)) == []
    # a source that stopped answering is its own alert; whether the grant is gone, it cannot say
    assert kinds({"grants": polled}, T0 + timedelta(minutes=5)) == [AlertKind.SOURCE_DOWN]

    def polled_at(s: float) -> GrantsSnapshot:
        at = T0 + timedelta(seconds=s)
        health = SourceHealth(state=HealthState.OK, last_ok_at=at)
        return polled.model_copy(update={"observed_at": at, "health": health})

    late, stuck = polled_at(4), polled_at(7)
    assert kinds({"grants": late}, late.observed_at) == []  # within the reaper's grace
    assert kinds({"grants": stuck}, stuck.observed_at) == [AlertKind.TTL_EXPIRED_ACTIVE]


def run(i: str, status: StageStatus, failed_stage: str | None = None) -> ReleaseRun:
    stages = tuple(
        ReleaseStage(
            name=n, status=StageStatus.FAILURE if n == failed_stage else StageStatus.SUCCESS
        )
        for n in ("verify digests", "verify provenance")
    )
    return ReleaseRun(id=i, version=f"v-{i}", status=status, started_at=T0, stages=stages)


def test_release_failure_only_for_the_latest_finished_cut() -> None:
    failed = run("1", StageStatus.FAILURE, "verify provenance")
    ok = run("2", StageStatus.SUCCESS)
    running = run("3", StageStatus.RUNNING)
    snap = ReleaseSnapshot(observed_at=T0, health=OK, current=running, recent=(failed,))
    alerts = derive({"release": snap}, T0)
    assert [a.kind for a in alerts] == [AlertKind.RELEASE_FAILURE]
    assert "verify provenance" in alerts[0].message
    healed = ReleaseSnapshot(observed_at=T0, health=OK, current=running, recent=(ok, failed))
    assert kinds({"release": healed}) == []


def test_fault_leak_in_protected_namespace_or_past_end() -> None:
    def window(ns: str, start: float, end: float, applied: bool) -> FaultWindow:
        return FaultWindow(
            id=ns,
            spec=FaultSpec(target_host="docs-api", namespace=ns, delay_ms=100, delay_percent=10),
            owner="erin",
            reason="drill",
            applied=applied,
            starts_at=T0 + timedelta(minutes=start),
            ends_at=T0 + timedelta(minutes=end),
        )

    fine = FaultsSnapshot(
        observed_at=T0,
        health=OK,
        windows=(window("stage", -1, 5, True), window("dev", -20, -10, False)),
    )
    assert kinds({"faults": fine}) == []
    leaking = FaultsSnapshot(
        observed_at=T0,
        health=OK,
        windows=(window("prod", -1, 5, True), window("dev", -20, -10, True)),
    )
    assert kinds({"faults": leaking}) == [AlertKind.FAULT_LEAK, AlertKind.FAULT_LEAK]


def test_source_down_and_stale() -> None:
    down = LatencySnapshot(
        observed_at=T0,
        health=SourceHealth(state=HealthState.ERROR, last_error="boom", last_ok_at=T0),
    )
    assert kinds({"latency": down}) == [AlertKind.SOURCE_DOWN]
    stale = LatencySnapshot(
        observed_at=T0,
        health=SourceHealth(
            state=HealthState.OK, last_ok_at=T0 - timedelta(seconds=30), interval_s=1.0
        ),
    )
    assert kinds({"latency": stale}) == [AlertKind.SOURCE_DOWN]


def test_alert_book_keeps_first_raised_and_orders_newest_first() -> None:
    book = AlertBook()
    a1 = derive({"grants": GrantsSnapshot(observed_at=T0, health=OK, grants=(grant(-1),))}, T0)
    first = book.update(a1, T0)
    later = T0 + timedelta(seconds=10)
    fresh = SourceHealth(state=HealthState.OK, last_ok_at=later)
    both = derive(
        {
            "grants": GrantsSnapshot(
                observed_at=later, health=fresh, grants=(grant(-1), grant(-0.01))
            )
        },
        later,
    )
    shown = book.update(both, later)
    assert [a.key for a in shown] == ["grant:g-0.01", "grant:g-1"]
    # since its expiry, as its data says (not when this dashboard first saw it)
    assert shown[1].raised_at == first[0].raised_at == T0 - timedelta(minutes=1)
    assert shown[0].raised_at == T0 - timedelta(minutes=0.01)
    assert book.update([], later) == []


def test_acknowledged_alerts_sink_and_come_back_new_when_they_recur() -> None:
    book = AlertBook()
    snap = GrantsSnapshot(observed_at=T0, health=OK, grants=(grant(-1), grant(-2)))
    alerts = derive({"grants": snap}, T0)
    first = book.update(alerts, T0)
    assert not any(a.acknowledged for a in first)
    acked = ack_newest(book)
    assert acked is not None and acked.key == first[0].key
    again = book.update(alerts, T0)
    assert [a.acknowledged for a in again] == [False, True]  # unacked first
    assert again[1].key == acked.key
    book.update([], T0)  # the condition cleared
    back = book.update(alerts, T0)
    assert not any(a.acknowledged for a in back)
    ack_newest(book)
    ack_newest(book)
    assert ack_newest(book) is None


def test_a_failing_source_is_one_alert_acknowledgeable_until_it_recovers() -> None:
    """However often a source fails, and whatever its error says from poll to poll (an MQTT
    reconnect counts down), it is one alert per source; `a` dims it, recovery clears it,
    and a new failure is a new alert."""
    book = AlertBook()
    down = SourceHealth(
        state=HealthState.ERROR, last_error="ConnectionError: refused", last_ok_at=T0
    )
    mqtt = "mqtt 127.0.0.1:1883: ConnectionRefusedError"

    def poll(i: int, latency_health: SourceHealth) -> dict[str, tuple[str, bool]]:
        at = T0 + timedelta(seconds=i)
        mqtt_down = SourceHealth(
            state=HealthState.ERROR, last_error=f"{mqtt}; retry in {i * 0.5:.1f}s", last_ok_at=T0
        )
        snaps = {
            "latency": LatencySnapshot(observed_at=at, health=latency_health, source="prometheus"),
            "access": access(100, 1, 0.01).model_copy(
                update={"health": mqtt_down, "source": "mqtt", "observed_at": at}
            ),
        }
        return {a.key: (a.message, a.acknowledged) for a in book.update(derive(snaps, at), at)}

    for i in range(5):
        shown = poll(i, down)
    assert shown == {  # two alerts, not ten; the message is the latest
        "source:latency": ("latency (prometheus): ConnectionError: refused", False),
        "source:access": (f"access (mqtt): {mqtt}; retry in 2.0s", False),
    }

    acked = ack_newest(book)
    assert acked is not None and acked.kind is AlertKind.SOURCE_DOWN
    other = ({"source:latency", "source:access"} - {acked.key}).pop()
    for i in range(5, 8):
        shown = poll(i, down)
    assert {k: ack for k, (_, ack) in shown.items()} == {acked.key: True, other: False}

    # the latency source comes back (fresh data): its alert clears, the other stays
    fresh = SourceHealth(state=HealthState.OK, last_ok_at=T0 + timedelta(seconds=9))
    assert set(poll(9, fresh)) == {"source:access"}

    # it fails again: a new alert, not acknowledged even if the old one was
    assert poll(10, down)["source:latency"] == (
        "latency (prometheus): ConnectionError: refused",
        False,
    )


def test_a_critical_alert_comes_before_newer_warnings() -> None:
    """The strip shows three; a leaking fault (critical) raised before three sources went
    down (warnings) was behind "+3 more", and `a` acknowledged a warning first."""
    book = AlertBook()
    leak = FaultWindow(
        id="w1",
        spec=FaultSpec(target_host="docs-api", namespace="prod", abort_percent=5),
        owner="erin",
        reason="a drill that went wrong",
        starts_at=T0 - timedelta(minutes=2),
        ends_at=T0 + timedelta(minutes=5),
        applied=True,
    )
    book.update(
        derive({"faults": FaultsSnapshot(observed_at=T0, health=OK, windows=(leak,))}, T0), T0
    )
    later = T0 + timedelta(seconds=30)
    down = SourceHealth(state=HealthState.ERROR, last_error="connection refused")
    snaps = {
        "faults": FaultsSnapshot(
            observed_at=later, health=OK.model_copy(update={"last_ok_at": later}), windows=(leak,)
        ),
        **{
            pane: LatencySnapshot(observed_at=later, health=down)
            for pane in ("latency", "access", "release")
        },
    }
    shown = book.update(derive(snaps, later), later)
    assert [(a.kind, a.severity) for a in shown][:1] == [(AlertKind.FAULT_LEAK, "critical")]
    assert [a.kind for a in shown[1:]] == [AlertKind.SOURCE_DOWN] * 3
    acked = ack_newest(book)
    assert acked is not None and acked.kind is AlertKind.FAULT_LEAK


def test_a_down_faults_source_still_says_a_window_past_its_end_may_be_in() -> None:
    """Other panes' alerts are held while their source is down (tests/access:
    test_mqtt_outage); a fault window applied when last seen whose end has passed is the
    exception: what would take it out cannot reach the mesh either, so the leak is said
    beside the source being down, and clears once the source says it is out."""
    book = AlertBook()
    window = FaultWindow(
        id="w1",
        spec=FaultSpec(target_host="docs-api", namespace="stage", abort_percent=5),
        owner="erin",
        reason="drill",
        starts_at=T0 - timedelta(minutes=2),
        ends_at=T0 + timedelta(seconds=5),
        applied=True,
    )
    down = SourceHealth(state=HealthState.ERROR, last_error="refused", last_ok_at=T0)

    def shown(at_s: float, health: SourceHealth, applied: bool = True) -> list[AlertKind]:
        at = T0 + timedelta(seconds=at_s)
        w = window.model_copy(update={"applied": applied})
        snap = FaultsSnapshot(observed_at=T0, health=health, windows=(w,))
        return [a.kind for a in book.update(book.derive({"faults": snap}, at), at)]

    assert shown(0, OK) == []
    assert sorted(shown(60, down)) == [AlertKind.FAULT_LEAK, AlertKind.SOURCE_DOWN]
    back = SourceHealth(state=HealthState.OK, last_ok_at=T0 + timedelta(seconds=61))
    assert shown(61, back, applied=False) == []  # the source says it is out
