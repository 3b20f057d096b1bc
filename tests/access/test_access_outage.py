"""The access window and its alert through a source outage, as pure logic: the counts
are kept while nothing can arrive, a backlog lands in the seconds it happened in, and a
deny spike is neither cleared nor raised on the data of a source that is down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backends.access_events import Event, event_from, event_seconds
from backends.access_window import DenyWindow
from backends.alerts import AlertBook
from backends.models import AccessSnapshot, AlertKind, HealthState, SourceHealth
from tests.access.events import opa_event

T = datetime(2026, 3, 16, 9, 0, 0, 500_000, tzinfo=UTC)  # mid-second: no boundary games
T0 = T.timestamp()


def at(s: float, allowed: bool = True, service: str = "gateway") -> Event:
    """A decision made `s` seconds after T."""
    doc = opa_event(service=service, tenant="acme", allowed=allowed)
    doc["timestamp"] = (T + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
    return event_from(doc)


def ok(now: datetime) -> SourceHealth:
    return SourceHealth(state=HealthState.OK, last_ok_at=now)


def test_event_seconds_reads_opa_timestamps() -> None:
    assert event_seconds("2026-03-16T09:00:00.500000000Z") == T0
    assert event_seconds("2026-03-16T10:00:00.5+01:00") == T0
    assert event_seconds("2026-03-16T09:00:00.5z") == T0  # the slow path
    assert event_seconds("") is None
    assert event_seconds("yesterday") is None


def test_a_backlog_counts_in_the_seconds_it_happened() -> None:
    """Two minutes of decisions, one a second, all arriving at once when a broker is
    back: the last 60 s of them are counted, each in its own second; the older ones are
    late. (They all landed in the current second: 121 "in 60 s".)"""
    w = DenyWindow()
    w.add_many((at(s, allowed=s % 4 != 0) for s in range(121)), T0 + 120)
    tot, den = w.totals()
    assert (tot[0], den[0]) == (60, 15)  # seconds 61..120
    assert (w.late_in_window, w.late_total, w.accepted) == (61, 61, 121)
    w.rotate_to(T0 + 121)  # second 61 leaves the window when its time has come
    assert w.totals()[0][0] == 59
    snap = w.snapshot(datetime.fromtimestamp(T0 + 121, UTC), ok(T), source="test")
    assert (snap.total, snap.late) == (59, 61)
    later = w.snapshot(datetime.fromtimestamp(T0 + 181, UTC), ok(T), source="test")
    assert (later.total, later.late) == (0, 0)  # the note goes once the backlog is old
    assert len(w.recent) == 121  # the dry-run still replays every decision


def test_a_decision_from_a_clock_ahead_counts_now() -> None:
    w = DenyWindow()
    w.add(at(30), T0)
    w.rotate_to(T0 + 59)
    assert w.totals()[0][0] == 1
    w.rotate_to(T0 + 60)
    assert w.totals()[0][0] == 0


def test_counts_are_kept_as_of_when_the_source_last_received() -> None:
    """A source that stopped receiving 90 s ago shows its counts as they were then,
    table and top denials alike; one still receiving drains with the clock."""
    w = DenyWindow()
    w.add_many((at(0, allowed=i % 2 == 0, service="docs-api") for i in range(100)), T0)
    later = T + timedelta(seconds=90)
    down = SourceHealth(state=HealthState.ERROR, last_error="gone", last_ok_at=T)
    kept = w.snapshot(later, down, source="test", counts_at=T)
    assert (kept.total, kept.denied, kept.observed_at) == (100, 50, later)
    assert kept.rows and len(kept.recent_denied) == 50
    drained = w.snapshot(later, ok(later), source="test")
    assert (drained.total, drained.rows, drained.recent_denied) == (0, (), ())


def spike(at_: datetime, total: int, health: SourceHealth) -> AccessSnapshot:
    return AccessSnapshot(
        observed_at=at_,
        health=health,
        source="mqtt",
        total=total,
        denied=total // 4,
        deny_rate=0.25 if total else 0.0,
        baseline_rate=0.05,
    )


def test_a_deny_spike_is_held_while_its_source_is_down() -> None:
    book = AlertBook()

    def kinds(snap: AccessSnapshot) -> list[AlertKind]:
        now = snap.observed_at
        return sorted(a.kind for a in book.update(book.derive({"access": snap}, now), now))

    assert kinds(spike(T, 2380, ok(T))) == [AlertKind.DENY_SPIKE]
    t1 = T + timedelta(seconds=70)
    down = SourceHealth(state=HealthState.ERROR, last_error="refused", last_ok_at=T)
    # whatever the stale counts say (drained to nothing here), the spike stays
    assert kinds(spike(t1, 0, down)) == [AlertKind.DENY_SPIKE, AlertKind.SOURCE_DOWN]
    t2 = t1 + timedelta(seconds=5)
    assert kinds(spike(t2, 100, ok(t2)).model_copy(update={"deny_rate": 0.05})) == []
    # and a down source raises none from its stale counts either
    assert kinds(spike(t2, 2380, down)) == [AlertKind.SOURCE_DOWN]


def test_after_a_long_silence_a_second_leaves_the_window_on_time() -> None:
    """The ring jumped past its length lands on the right slot (a decision after 90 s of
    nothing left the window 25 s early, and one of the backlog was counted twice)."""
    w = DenyWindow()
    w.add(at(0), T0)
    w.add(at(90), T0 + 90)
    w.add(at(65), T0 + 90)  # the backlog's second that shares the ring's old slot
    assert w.totals()[0][0] == 2
    w.rotate_to(T0 + 124)
    assert w.totals()[0][0] == 2  # (it was 1: the 90 s one had gone)
    w.rotate_to(T0 + 125)
    assert w.totals()[0][0] == 1
    w.rotate_to(T0 + 150)
    assert w.totals()[0][0] == 0
