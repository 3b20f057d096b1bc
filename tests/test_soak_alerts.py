"""A dashboard left open overnight: the alert book kept every ack the audit trail handed
it of an alert that had cleared (the grants poll hands on the acks of its last 10 minutes,
and an alert clears sooner), one per alert acknowledged, for good. Now at most
MAX_TRAIL_ACKS acks of alerts not listed are kept, the oldest let go first; an ack of an
alert listed is never let go."""

from __future__ import annotations

from datetime import timedelta

from backends.alert_acks import Ack
from backends.alerts import AlertBook
from backends.models import Alert, AlertKind
from tests.conftest import T0

MAX_TRAIL_ACKS = 500  # backends.alerts's


def alert(key: str, since: timedelta) -> Alert:
    return Alert(kind=AlertKind.FAULT_LEAK, key=key, message=key, raised_at=T0 + since)


def test_acks_of_cleared_alerts_are_bounded_overnight() -> None:
    book = AlertBook()
    held = alert("held", timedelta(0))  # on all night, acknowledged by bob at the start
    book.add_trail({("held", held.raised_at): Ack("bob", T0)})
    for i in range(3 * MAX_TRAIL_ACKS):  # twelve hours of alerts raised, acked, cleared
        now = T0 + timedelta(minutes=i)
        a = alert(f"k{i}", timedelta(minutes=i))
        book.update([held, a], now)
        trail = {("held", held.raised_at): Ack("bob", T0), (a.key, a.raised_at): Ack("erin", now)}
        book.add_trail(trail)  # the next poll carries the acks of its last 10 minutes
        book.update([held], now)  # a cleared
        book.add_trail(trail)  # and the poll after still does
    assert len(book._trail) <= MAX_TRAIL_ACKS  # it was 3 * MAX_TRAIL_ACKS + 1
    (shown,) = book.update([held], T0 + timedelta(hours=13))
    assert (shown.acknowledged, shown.acked_by) == (True, "bob")
