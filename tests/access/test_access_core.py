"""Pure logic of the access pane: windows, fixed memory, baseline and spikes, parsing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from backends.access_events import MalformedEvent, event_from, parse_events, parse_timestamp
from backends.access_spike import is_spike
from backends.access_window import OTHER, DenyWindow
from backends.alerts import derive
from backends.models import AlertKind, HealthState, SourceHealth
from tests.access.events import opa_event

T = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
OK = SourceHealth(state=HealthState.OK, last_ok_at=T)


def ev(allowed: bool, tenant: str = "acme", service: str = "gateway") -> object:
    """A decision counted when it arrives (no timestamp of its own: opa_event's is the
    wall clock's, months after T, and a decision stamped in the future is not counted)."""
    return event_from(
        opa_event(service=service, tenant=tenant, allowed=allowed) | {"timestamp": ""}
    )


def test_events_leave_the_window_after_its_length() -> None:
    w = DenyWindow(window_buckets=10)
    t0 = T.timestamp()
    for i in range(10):
        w.add(ev(i % 2 == 0), t0 + i)  # type: ignore[arg-type]
    tot, den = w.totals()
    assert (tot[0], den[0]) == (10, 5)
    w.rotate_to(t0 + 10)  # the first second falls out
    tot, den = w.totals()
    assert (tot[0], den[0]) == (9, 5)
    w.rotate_to(t0 + 1000)  # a long silence empties it
    assert w.totals()[0][0] == 0


def test_memory_is_fixed_whatever_the_cardinality() -> None:
    w = DenyWindow(max_values_per_dimension=4)
    t0 = T.timestamp()
    for i in range(1000):
        w.add(ev(False, tenant=f"t{i}"), t0)  # type: ignore[arg-type]
    tenants = {r.value: r.total for r in w.rows() if r.dimension == "tenant"}
    assert len(tenants) == 5 and tenants[OTHER] == 996
    assert sum(tenants.values()) == 1000
    assert len(w._tot[0]) == w.n_keys  # the buckets never grew


def test_baseline_is_the_trailing_median_and_a_spike_alerts() -> None:
    w = DenyWindow()
    t0 = int(T.timestamp())
    for s in range(600):  # ten quiet minutes: 5 % denied
        for i in range(20):
            w.add(ev(i != 0), t0 + s)  # type: ignore[arg-type]
    for s in range(600, 660):  # then a minute where globex is 90 % denied
        for i in range(20):
            w.add(ev(i != 0), t0 + s)  # type: ignore[arg-type]
        for i in range(10):
            w.add(ev(i == 0, tenant="globex"), t0 + s)  # type: ignore[arg-type]
    now = datetime.fromtimestamp(t0 + 660, UTC)
    snap = w.snapshot(now, SourceHealth(state=HealthState.OK, last_ok_at=now), source="test")
    assert snap.baseline_rate == pytest.approx(0.05)  # the spike does not lift it
    assert snap.deny_rate == pytest.approx(10 / 30, abs=0.01)
    assert is_spike(snap.total, snap.deny_rate, snap.baseline_rate)
    alerts = derive({"access": snap}, snap.observed_at)
    assert [a.kind for a in alerts] == [AlertKind.DENY_SPIKE]
    assert "tenant=globex" in alerts[0].message
    assert not is_spike(snap.total, 0.09, snap.baseline_rate)  # under 2x baseline, 15 %


def test_drops_mark_the_snapshot_sampled() -> None:
    w = DenyWindow()
    t0 = T.timestamp()
    w.add(ev(False), t0)  # type: ignore[arg-type]
    w.dropped(7, t0)
    snap = w.snapshot(datetime.fromtimestamp(t0, UTC), OK, source="test")
    assert snap.sampled and snap.dropped == 7
    later = w.snapshot(datetime.fromtimestamp(t0 + 120, UTC), OK, source="test")
    assert not later.sampled and later.dropped == 0 and w.dropped_total == 7


def test_parsing_opa_events() -> None:
    e = opa_event(service="billing", tenant="acme", allowed=False)
    e["result"] = {"allow": False, "reason": "tenant mismatch"}
    events, bad = parse_events(json.dumps([e, {"result": True}]).encode())
    assert bad == 1 and events[0].reason == "tenant mismatch" and not events[0].allowed
    with pytest.raises(MalformedEvent):
        parse_events(b"\x00garbage")
    e2 = opa_event(service="billing", tenant="acme")
    e2["result"] = [1, 2]
    with pytest.raises(MalformedEvent):
        event_from(e2)


def test_rfc3339_with_nanoseconds() -> None:
    fb = datetime(2000, 1, 1, tzinfo=UTC)
    got = parse_timestamp("2026-03-16T09:00:01.123456789Z", fb)
    assert got == datetime(2026, 3, 16, 9, 0, 1, 123456, tzinfo=UTC)
    assert parse_timestamp("2026-03-16T10:00:00+01:00", fb) == T
    assert parse_timestamp("yesterday", fb) == fb
