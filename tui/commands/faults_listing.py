"""`watchfloor faults list`: its table and its JSON, as the faults pane says the windows
(open first; "due, not started" for a window whose time has come that nobody started;
"cancelled" for a window ended before its fault was put in; a window that started late or
ended early with the times it ran and those planned: backends/fault_times.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from backends.durations import delay
from backends.fault_times import window_cell
from backends.faults_core import shown_state
from tui.commands.table import table_lines


def fault_cell(value: str, percent: float) -> str:
    """`400ms@50%`, `1s@10%`, `503@1%`; `—` for a fault the window does not inject (it
    read `503@0%`)."""
    return f"{value}@{percent:g}%" if percent > 0 else "—"


STATE_ORDER = {"active": 0, "scheduled": 1, "ended": 2}  # as the faults pane lists them


def listing_order(w: Any, now: Any) -> tuple[int, float]:
    """Open windows first (active, then scheduled), then ended; newest start first."""
    return (STATE_ORDER[w.state(now).value], -w.starts_at.timestamp())


def list_lines(snap: Any, now: datetime) -> list[str]:
    """The table `faults list` prints: open windows first, how each ended beside why."""
    today = now.astimezone(UTC).date()
    rows = [
        (
            w.id,
            shown_state(w, now),
            f"{w.spec.namespace}/{w.spec.target_host}",
            fault_cell(delay(w.spec.delay_ms), w.spec.delay_percent),
            fault_cell(str(w.spec.abort_status), w.spec.abort_percent),
            window_cell(w, today),
            w.owner,
            "yes" if w.applied else "no",
            w.reason + (f" — {w.end_reason}" if w.end_reason else ""),
        )
        for w in sorted(snap.windows, key=lambda w: listing_order(w, now))
    ]
    header = ("ID", "STATE", "TARGET", "DELAY", "ABORT", "WINDOW", "OWNER", "APPLIED")
    return table_lines((*header, "REASON — HOW IT ENDED"), rows)
