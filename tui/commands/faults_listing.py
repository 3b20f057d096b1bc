"""`watchfloor faults list`: its table and its JSON, as the faults pane says the windows
(open first; "due, not started" for a window whose time has come that nobody started;
"cancelled" for a window ended before its fault was put in)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from backends.faults_core import cancelled, shown_state
from tui.commands.table import table_lines


def fault_cell(value: int, unit: str, percent: float) -> str:
    """`400ms@50%`; `—` for a fault the window does not inject (it read `503@0%`)."""
    return f"{value}{unit}@{percent:g}%" if percent > 0 else "—"


STATE_ORDER = {"active": 0, "scheduled": 1, "ended": 2}  # as the faults pane lists them


def listing_order(w: Any, now: Any) -> tuple[int, float]:
    """Open windows first (active, then scheduled), then ended; newest start first."""
    return (STATE_ORDER[w.state(now).value], -w.starts_at.timestamp())


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


def window_cell(w: Any, today: date) -> str:
    """Start-end; ended early, the end it had and the one planned: 10:19:05-10:19:13Z
    (planned 10:21:05Z); each with its date when not `today`."""
    early = w.ended_early_at
    if early is not None and cancelled(w):
        planned = span(w.starts_at, w.ends_at, today)
        return f"cancelled {clock(early, today)}Z (planned {planned})"
    if early is not None and early < w.ends_at:
        return f"{span(w.starts_at, early, today)} (planned {clock(w.ends_at, today)}Z)"
    return span(w.starts_at, w.ends_at, today)


def list_lines(snap: Any, now: datetime) -> list[str]:
    """The table `faults list` prints: open windows first, how each ended beside why."""
    today = now.astimezone(UTC).date()
    rows = [
        (
            w.id,
            shown_state(w, now),
            f"{w.spec.namespace}/{w.spec.target_host}",
            fault_cell(w.spec.delay_ms, "ms", w.spec.delay_percent),
            fault_cell(w.spec.abort_status, "", w.spec.abort_percent),
            window_cell(w, today),
            w.owner,
            "yes" if w.applied else "no",
            w.reason + (f" — {w.end_reason}" if w.end_reason else ""),
        )
        for w in sorted(snap.windows, key=lambda w: listing_order(w, now))
    ]
    header = ("ID", "STATE", "TARGET", "DELAY", "ABORT", "WINDOW", "OWNER", "APPLIED")
    return table_lines((*header, "REASON — HOW IT ENDED"), rows)
