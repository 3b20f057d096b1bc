"""The p99.9 alerts: over its SLO (no baseline needed) and regression against a marked
baseline, each shown once it has held 30 s (AlertBook), so a poll or two over the line
does not flap the strip."""

from __future__ import annotations

from datetime import datetime, timedelta

from backends.alerts import AlertBook, derive
from backends.models import (
    Alert,
    AlertKind,
    GrantsSnapshot,
    HealthState,
    LatencySnapshot,
    RouteLatency,
    SourceHealth,
)
from tests.conftest import T0
from tests.test_alerts import OK, grant, kinds


def latency(
    p999_ms: float | None, slo_ms: float = 400, at: datetime = T0, **kw: object
) -> LatencySnapshot:
    route = RouteLatency(
        route="GET /search", p999_ms=p999_ms, slo_ms=slo_ms, observations=5000, **kw
    )
    health = SourceHealth(state=HealthState.OK, last_ok_at=at)
    return LatencySnapshot(observed_at=at, health=health, routes=(route,))


def test_p999_regression_against_marked_baseline() -> None:
    snap = latency(350)  # within its 400 ms SLO: only a marked baseline can make it an alert
    assert kinds({"latency": snap}) == []  # no baseline marked
    assert kinds({"latency": snap}, baselines={"GET /search": 330}) == []  # +6%
    assert kinds({"latency": snap}, baselines={"GET /search": 300}) == [AlertKind.P999_REGRESSION]


def test_p999_over_its_slo_without_any_baseline() -> None:
    assert kinds({"latency": latency(400)}) == []  # at the SLO is within it
    assert kinds({"latency": latency(None)}) == []  # no value, no verdict
    (alert,) = derive({"latency": latency(435, slo_ms=250)}, T0)
    assert alert.kind is AlertKind.P999_OVER_SLO
    assert alert.key == "slo:GET /search"
    assert alert.message == "GET /search 435 ms, SLO 250 ms (+74%)"
    (bound,) = derive({"latency": latency(500, above_last_bucket=True)}, T0)
    assert bound.message.startswith("GET /search > 500 ms, SLO 400 ms")
    both = kinds({"latency": latency(450)}, baselines={"GET /search": 380})
    assert both == [AlertKind.P999_OVER_SLO, AlertKind.P999_REGRESSION]


def test_p999_alerts_show_once_they_have_held_for_30s() -> None:
    """A p99.9 that pokes over its SLO for a poll or two flapped the strip (raised, cleared,
    raised: six timeline entries in five minutes). Now it shows once it has held 30 s,
    stamped with when it began; a dip back under starts the wait again."""
    book = AlertBook()

    def poll(s: int, p999: float) -> list[Alert]:
        at = T0 + timedelta(seconds=s)
        return book.update(derive({"latency": latency(p999, at=at)}, at), at)

    assert poll(0, 450) == []
    assert poll(20, 450) == []
    assert poll(25, 390) == []  # back under: the wait starts again
    assert poll(26, 450) == []
    assert poll(50, 450) == []
    (shown,) = poll(56, 450)
    assert shown.kind is AlertKind.P999_OVER_SLO and shown.raised_at == T0 + timedelta(seconds=26)
    assert poll(57, 390) == []

    # other alerts are not held: a grant listed past its expiry shows at once
    expired = GrantsSnapshot(observed_at=T0, health=OK, grants=(grant(-1),))
    assert [a.kind for a in book.update(derive({"grants": expired}, T0), T0)] == [
        AlertKind.TTL_EXPIRED_ACTIVE
    ]
