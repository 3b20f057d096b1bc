"""What the timeline says of alerts: raised (at the time its data says, or since when it
was seen and how long it held) and cleared (which one, as raised and as last seen, and
how long it lasted). Pure logic: the Timeline hands it its `note`.

A profile switch leaves the old profile's alerts behind (`leave`): not cleared, since
the source they watched may well be down still. One the new profile lists again with
the same key, raised at the same time (the same failed cut, the same expired grant), is
the same alert going on: not raised a second time. Another one under that key, or a new
key, is raised as any new alert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from backends.durations import duration
from backends.models import Alert
from backends.timeline_words import stamp

Note = Callable[[datetime, str, str], None]  # at, kind, text


class AlertNotes:
    def __init__(self, note: Note) -> None:
        self._note = note
        self._alerts: dict[str, Alert] = {}
        self._raised_as: dict[str, str] = {}  # each current alert's message when raised
        # the previous profile's alerts, left behind at a switch: raised as they were
        self._left: dict[str, Alert] = {}
        self._left_as: dict[str, str] = {}
        self._left_n = 0  # how many were left at the last switch
        self._carried = 0  # how many of them went on

    def leave(self) -> int:
        """A profile switch: the alerts going on are the old profile's, no longer watched,
        not cleared (no "cleared" note for each). Kept aside until the next switch, so
        one the new profile still lists (same key, raised at the same time) goes on
        without being raised again. How many there were."""
        n = len(self._alerts)
        self._left, self._left_as = self._alerts, self._raised_as
        self._left_n, self._carried = n, 0
        self._alerts, self._raised_as = {}, {}
        return n

    def left_behind(self) -> int:
        """How many of the alerts left at the last switch have not gone on (so far): the
        new profile does not list them, or lists another alert under their key."""
        return self._left_n - self._carried

    def observe(self, alerts: Iterable[Alert], now: datetime) -> None:
        current = {a.key: a for a in alerts}
        for key, a in current.items():
            if key in self._alerts:
                continue
            was = self._left.pop(key, None)
            first = self._left_as.pop(key, a.message)
            if was is not None and was.raised_at == a.raised_at:  # the same one, going on
                self._raised_as[key] = first
                self._carried += 1
                continue
            self._raised(a, now)
            self._raised_as[key] = a.message
        for key, a in self._alerts.items():
            if key not in current:
                self._cleared(key, a, now)
        self._alerts = current

    def _cleared(self, key: str, a: Alert, now: datetime) -> None:
        """Which one (two routes, five sources), as raised and as last seen (a p99.9
        raised at 1.73 s clears at 485 ms), and for how long."""
        lasted = duration(now - a.raised_at)
        if a.raised_from == "start":  # it began before the dashboard started
            lasted = f"at least {lasted}: it was there at start"
        first = self._raised_as.pop(key, a.message)
        was = a.message if first == a.message else f"{first} when raised, {a.message} last"
        self._note(now, "alert", f"cleared {a.kind.value}: was {was}; lasted {lasted}")

    def _raised(self, a: Alert, now: datetime) -> None:
        """At the time its data says it began (a cut's failure: not when this dashboard
        started); one there at start says so; a held one (p99.9 over SLO) is listed once
        it has held a while: the strip shows when it began, so say so here too."""
        text = f"raised {a.kind.value}: {a.message}"
        if a.raised_from == "data":
            self._note(min(a.raised_at, now), "alert", text)
            return
        held = now - a.raised_at
        since = stamp(a.raised_at, now.date())
        if a.raised_from == "kept":  # a restart in the middle of it: not held that long
            text += f" (seen since {since}, before a restart)"
        elif a.raised_from == "start":
            held_for = (
                f", held {duration(held)} before alerting" if held.total_seconds() >= 1 else ""
            )
            text += f" (seen since {since}, dashboard start{held_for})"
        elif held.total_seconds() >= 1:
            text += f" (since {since}, held {duration(held)} before alerting)"
        self._note(now, "alert", text)
