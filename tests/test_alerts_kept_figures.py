"""A kept alert says the figures the pane beside it shows, and a no-data alert is dated
from the last data its pane names.

Before, on a real Prometheus and MQTT: the strip said `p99.9 regression: (no data since
04:26:44Z) GET /docs/:id p99.9 193 ms, +20%` while the pane showed the late answer's
162 ms, +0%; after a broker drop it said `tenant=globex 42% (all 15.2%, ...)` while the
frozen pane said 40% (all 15.1%); and `source no data` was dated when the 60 s window had
drained (`04:19:37Z ... no data for 1m`) while the pane said `no decisions ... since
04:18:38Z` (the gap was 2m07s). Now a kept alert has the figures of the data the pane
shows, or says from when they are ("(as of ...)"); the no-data alert is dated from the
pane's "since", its length that of the gap, growing."""

from __future__ import annotations

from datetime import datetime, timedelta

from backends.alerts import AlertBook
from backends.models import (
    AccessSnapshot,
    Alert,
    AlertKind,
    DenyRateRow,
    HealthState,
    LatencySnapshot,
    RouteLatency,
    SourceHealth,
)
from tests.conftest import T0

DOCS = "GET /docs/:id"


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def shown(book: AlertBook, pane: str, snap: object, s: float, base: float = 0.0) -> list[Alert]:
    now = at(s)
    baselines = {DOCS: base} if base else None
    return book.update(book.derive({pane: snap}, now, baselines), now)  # type: ignore[dict-item]


def latency(observed: float, p999: float, polled: float | None = None) -> LatencySnapshot:
    """Prometheus's answer for `observed` (eval lag: 1 s), polled at `polled`."""
    ok_at = at(observed + 1 if polled is None else polled)
    route = RouteLatency(route=DOCS, p999_ms=p999, slo_ms=1000, observations=5000)
    return LatencySnapshot(
        observed_at=at(observed),
        health=SourceHealth(state=HealthState.OK, last_ok_at=ok_at, interval_s=1),
        source="prometheus",
        routes=(route,),
    )


def regression(alerts: list[Alert]) -> Alert:
    (a,) = [a for a in alerts if a.kind is AlertKind.P999_REGRESSION]
    return a


def test_a_late_answer_that_no_longer_says_it_dates_the_kept_figures() -> None:
    book = AlertBook()
    for s in range(0, 45, 1):
        alerts = shown(book, "latency", latency(s, 193), s + 1, base=161)
    live = regression(alerts)
    assert "193 ms, +20%" in live.message
    # Prometheus answers late: at 61 s the answer to the poll of 48 s (data 13 s old)
    stale = latency(47, 162, polled=48)
    kept = regression(shown(book, "latency", stale, 61, base=161))
    # the pane shows 162 ms (+1 %) from 09:00:48Z: the alert's 193 ms is older, and says so
    assert kept.message == f"(as of 09:00:44Z) {live.message}", kept.message


def test_a_late_answer_that_still_says_it_gives_the_kept_alert_its_figures() -> None:
    book = AlertBook()
    for s in range(0, 45, 1):
        alerts = shown(book, "latency", latency(s, 193), s + 1, base=161)
    stale = latency(47, 185, polled=48)
    kept = regression(shown(book, "latency", stale, 61, base=161))
    assert kept.message == (
        f"(no data since 09:00:47Z) {DOCS} p99.9 185 ms, +15% vs baseline 161 ms"
    ), kept.message
    assert kept.raised_at == regression(alerts).raised_at  # still the same alert


def access(
    s: float, rate: float, total: int, base: float, state: HealthState, ok_at: float | None = None
) -> AccessSnapshot:
    denied = round(total * rate)
    row = DenyRateRow.of("tenant", "globex", 200, round(200 * rate * 2.7), ())
    health = SourceHealth(
        state=state,
        last_ok_at=at(s if ok_at is None else ok_at),
        last_error="connection lost" if state is HealthState.ERROR else None,
    )
    return AccessSnapshot(
        observed_at=at(s),
        health=health,
        source="mqtt",
        total=total,
        denied=denied,
        deny_rate=denied / total,
        baseline_rate=base,
        rows=(row,),
    )


def test_counts_frozen_when_the_broker_dropped_are_the_kept_alerts_figures() -> None:
    book = AlertBook()
    (spike,) = shown(book, "access", access(30, 0.17, 1000, 0.075, HealthState.OK), 30)
    assert spike.message == "tenant=globex 46% (all 17.0%, baseline 7.5%)", spike.message
    # the link drops at 31 s: the pane shows the window as it was then, a few more counted
    frozen = access(35, 0.162, 1060, 0.077, HealthState.ERROR, ok_at=31)
    (kept,) = [a for a in shown(book, "access", frozen, 35) if a.kind is AlertKind.DENY_SPIKE]
    assert kept.message == (
        "(no data since 09:00:31Z) tenant=globex 44% (all 16.2%, baseline 7.7%)"
    ), kept.message


def test_frozen_counts_under_the_line_leave_the_kept_alert_dated() -> None:
    """15.1 % against 7.7 % is no spike: stale counts do not clear it, and it says its
    figures are those of 09:00:30Z, not of the pane's 09:00:31Z."""
    book = AlertBook()
    (spike,) = shown(book, "access", access(30, 0.152, 1000, 0.075, HealthState.OK), 30)
    frozen = access(35, 0.151, 1060, 0.077, HealthState.ERROR, ok_at=31)
    (kept,) = [a for a in shown(book, "access", frozen, 35) if a.kind is AlertKind.DENY_SPIKE]
    assert kept.message == f"(as of 09:00:30Z) {spike.message}", kept.message


def quiet(s: float, last_decision: float) -> AccessSnapshot:
    """Subscribed, nothing in the window since the decision of `last_decision`."""
    since = at(last_decision)
    health = SourceHealth(
        state=HealthState.NO_DATA,
        last_ok_at=at(s),
        last_data_at=since,
        last_error=f"no decisions received on watchfloor/decisions since {since:%H:%M:%S}Z",
    )
    return AccessSnapshot(observed_at=at(s), health=health, source="mqtt", baseline_rate=0.05)


def test_no_data_is_dated_from_the_last_decision_as_the_pane_says_and_grows() -> None:
    book = AlertBook()
    calm = access(0, 0.05, 1000, 0.05, HealthState.OK)
    for s in range(0, 60, 5):  # the last decision at 0 s; its window drains until 59 s
        calm = calm.model_copy(
            update={
                "observed_at": at(s),
                "health": calm.health.model_copy(update={"last_ok_at": at(s)}),
            }
        )
        assert shown(book, "access", calm, s) == []
    (alert,) = shown(book, "access", quiet(61, 0), 61)  # no decision for 61 s: at once
    assert alert.kind is AlertKind.SOURCE_NO_DATA
    assert alert.raised_at == at(0) and alert.raised_from == "data"
    assert alert.message.startswith("access (mqtt): no data for 1m: "), alert.message
    (later,) = shown(book, "access", quiet(127, 0), 127)  # the gap is 2m07s
    assert later.raised_at == at(0)
    assert later.message.startswith("access (mqtt): no data for 2m: "), later.message
