"""When a fault window runs, against when it was planned, as every front end says it:
`faults list`'s WINDOW cell (the real start and end, and the planned ones beside them
when it started late, ended early or ended late), the report, the timeline, its details,
the schedule toast and the quit warning. A time not today (UTC) carries its date. Pure.

A window is put in when its time has come by a reconciler (a dashboard, `watchfloor faults
reconcile`); with none running it waits, and goes in late when one starts, still ending at
its planned end. A start within LATE_AFTER of the planned one is on time (a reconcile
round every 2 s, a slow backend call). Likewise a fault that a reconciler could only take
out more than LATE_AFTER past its end (the API server was down then) ended late, and
every front end says when it really came out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backends.durations import duration
from backends.faults_core import cancelled
from backends.models import FaultWindow

LATE_AFTER = timedelta(seconds=5)


def late_by(w: FaultWindow) -> timedelta | None:
    """How late its fault went in; None: on time (within LATE_AFTER), or never put in."""
    if w.started_at is None:
        return None
    late = w.started_at - w.starts_at
    return late if late > LATE_AFTER else None


def late_words(w: FaultWindow) -> str:
    """'1m29s late, by bob's reconciler'; '' when it did not start late. A late start is
    always a reconciler's (one put in at once is on time), run by `started_by`."""
    late = late_by(w)
    if late is None:
        return ""
    who = f", by {w.started_by}'s reconciler" if w.started_by else ""
    return f"{duration(late)} late{who}"


def ended_late_by(w: FaultWindow, removed_at: datetime | None = None) -> timedelta | None:
    """How long past its end its fault stayed in (taken out at `removed_at`, by default
    as recorded: `ended_late_at`); None: on time (within LATE_AFTER, a reconcile round or
    two), or ended early. The same rule as a late start."""
    at = removed_at or w.ended_late_at
    if at is None or (w.ended_early_at is not None and w.ended_early_at < w.ends_at):
        return None
    late = at - w.ends_at
    return late if late > LATE_AFTER else None


def ended_late_words(late: timedelta) -> str:
    """'ended 22s late': why a window ended, as the reconciler that took it out late
    records it (no reconciler could take it out at its end: the API server was down)."""
    return f"ended {duration(late)} late"


def cancelled_words(w: FaultWindow) -> str:
    """How a window whose fault never went in ended: 'cancelled before it started', or
    'cancelled 21s after its planned start, never started' (its time had come and nobody
    had put it in, or the mesh had refused it)."""
    early = w.ended_early_at
    if early is not None and early > w.starts_at:
        return f"cancelled {duration(early - w.starts_at)} after its planned start, never started"
    return "cancelled before it started"


def clock(at: datetime, today: date) -> str:
    """A time of day; with its date when that is not `today` (UTC): 11-28 15:22:30."""
    at = at.astimezone(UTC)
    return f"{at:%H:%M:%S}" if at.date() == today else f"{at:%m-%d %H:%M:%S}"


def span(start: datetime, end: datetime, today: date) -> str:
    """10:19:05-10:21:05Z; 11-28 15:22:30-15:32:30Z on another day (tomorrow, at 23h from
    now, it read as already past); across midnight 23:55:00 to 11-28 00:05:00Z."""
    if start.astimezone(UTC).date() != end.astimezone(UTC).date():
        return f"{clock(start, today)} to {clock(end, today)}Z"
    return f"{clock(start, today)}-{end.astimezone(UTC):%H:%M:%S}Z"


def window_cell(w: FaultWindow, today: date) -> str:
    """When it ran, start-end, and what was planned where that differs: ended early,
    10:19:05-10:19:13Z (planned 10:21:05Z); started late, 10:20:35-10:21:05Z (started late,
    planned 10:19:05Z); both, 10:20:35-10:20:50Z (started late, planned 10:19:05-10:21:05Z);
    ended late, 10:19:05-10:21:27Z (ended 22s late, planned 10:21:05Z). Cancelled before
    it started, when and the window planned. Each with its date when not `today`."""
    early = w.ended_early_at
    planned = span(w.starts_at, w.ends_at, today)
    if early is not None and cancelled(w):
        return f"cancelled {clock(early, today)}Z (planned {planned})"
    early = early if early is not None and early < w.ends_at else None
    late = w.started_at if late_by(w) is not None else None
    overran = ended_late_by(w)
    end = early or (w.ended_late_at if overran is not None else None)
    if late is None and end is None:
        return planned
    ran = span(late or w.starts_at, end or w.ends_at, today)
    said = ["started late"] if late is not None else []
    if overran is not None:
        said.append(ended_late_words(overran))
    if late is None:
        return f"{ran} ({', '.join([*said, f'planned {clock(w.ends_at, today)}Z'])})"
    was = planned if end is not None else clock(w.starts_at, today) + "Z"
    return f"{ran} ({', '.join([*said, f'planned {was}'])})"
