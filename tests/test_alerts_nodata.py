"""A source with nothing to count (NO_DATA: a publisher that died, a quiet topic) is not
news that everything is fine.

Before: a deny spike cleared when the access source went no-data mid-spike (the strip went
green: "recovered", on a tired night), and a source with no data for minutes raised no
alert at all. Now an alert stays while its data is gone, marked "(no data since ...)",
until data says it is over; and a source without data for NO_DATA_GRACE is an alert of its
own, cleared when the source is ok again. Not on a normal start: a source that answers
within the grace raises nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from backends.alerts import NO_DATA_GRACE, AlertBook
from backends.models import AccessSnapshot, Alert, AlertKind, HealthState, SourceHealth
from tests.conftest import T0

QUIET = "no decisions received on watchfloor/decisions since 09:00:00Z"


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def ok(s: float, total: int = 1000, denied: int = 300) -> AccessSnapshot:
    """Fresh data at `s`: 30 % denied against a 5 % baseline is a spike."""
    return AccessSnapshot(
        observed_at=at(s),
        health=SourceHealth(state=HealthState.OK, last_ok_at=at(s)),
        source="mqtt",
        total=total,
        denied=denied,
        deny_rate=denied / total,
        baseline_rate=0.05,
    )


def quiet(s: float, answered: bool = True) -> AccessSnapshot:
    """Nothing in the window at `s`: subscribed and quiet (answered) or not heard yet."""
    health = (
        SourceHealth(state=HealthState.NO_DATA, last_ok_at=at(s), last_error=QUIET)
        if answered
        else SourceHealth(state=HealthState.NO_DATA)
    )
    return AccessSnapshot(observed_at=at(s), health=health, source="mqtt", baseline_rate=0.05)


def shown(book: AlertBook, snap: AccessSnapshot, s: float) -> list[Alert]:
    now = at(s)
    return book.update(book.derive({"access": snap}, now), now)


def test_a_deny_spike_stays_while_its_source_has_no_data_until_data_says_it_is_over() -> None:
    book = AlertBook()
    shown(book, ok(0), 0)
    (spike,) = shown(book, ok(30), 30)
    assert spike.kind is AlertKind.DENY_SPIKE
    # the publisher died: the window drained, the source says no data
    listed = shown(book, quiet(95), 95)
    spikes = [a for a in listed if a.kind is AlertKind.DENY_SPIKE]
    assert len(spikes) == 1, listed  # it cleared: the strip went green
    (kept,) = spikes
    assert kept.raised_at == spike.raised_at and kept.severity == "critical"
    assert kept.message == f"(no data since 09:00:30Z) {spike.message}"
    # data again, and it says the spike is over
    assert shown(book, ok(100, denied=40), 100) == []


def test_no_data_for_a_while_is_an_alert_of_its_own_cleared_when_the_source_is_ok() -> None:
    book = AlertBook()
    assert shown(book, ok(0, denied=40), 0) == []
    for s in (1, 30, 59):
        assert shown(book, quiet(s), s) == [], s  # within the grace
    (alert,) = shown(book, quiet(61), 61)
    assert (alert.kind, alert.key, alert.severity) == (
        AlertKind.SOURCE_NO_DATA,
        "source:access",
        "warning",
    )
    assert alert.raised_at == T0  # when its data was last seen
    assert alert.message == f"access (mqtt): no data for 1m: {QUIET}"
    (later,) = shown(book, quiet(185), 185)
    assert later.message == f"access (mqtt): no data for 3m: {QUIET}"
    assert shown(book, ok(186, denied=40), 186) == []  # ok again: cleared


def test_a_source_that_fails_then_has_no_data_is_one_alert() -> None:
    """Broker down (source down at once), back with nobody publishing (no data): one
    alert for the source, not one cleared and another raised a minute later."""
    book = AlertBook()
    shown(book, ok(0, denied=40), 0)
    down = SourceHealth(state=HealthState.ERROR, last_error="connection refused", last_ok_at=T0)
    (failing,) = shown(book, quiet(5).model_copy(update={"health": down}), 5)
    assert failing.kind is AlertKind.SOURCE_DOWN
    (silent,) = shown(book, quiet(10), 10)
    assert (silent.kind, silent.key, silent.raised_at) == (
        AlertKind.SOURCE_NO_DATA,
        failing.key,
        failing.raised_at,
    )


def test_a_normal_start_raises_no_source_alert() -> None:
    """A source not heard from yet, then subscribed and quiet for a moment, then data."""
    book = AlertBook()
    for s in (0, 2, 20):
        assert shown(book, quiet(s, answered=False), s) == []
    for s in (21, 40, 55):
        assert shown(book, quiet(s), s) == []
    for s in (56, 90, 200):
        assert shown(book, ok(s, denied=40), s) == []


def test_a_source_never_heard_from_is_an_alert_after_the_grace() -> None:
    book = AlertBook()
    assert shown(book, quiet(0, answered=False), 0) == []
    grace = NO_DATA_GRACE.total_seconds()
    (alert,) = shown(book, quiet(grace, answered=False), grace)
    assert alert.kind is AlertKind.SOURCE_NO_DATA
    assert alert.message == "access (mqtt): no data for 1m: not answered yet"
