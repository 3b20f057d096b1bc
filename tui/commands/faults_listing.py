"""`watchfloor faults list`: its table and its JSON, as the faults pane says the windows
(open first; "cancelled" for a window ended before its start)."""

from __future__ import annotations

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


def window_cell(w: Any) -> str:
    """Start-end; ended early, the end it had and the one planned: 10:19:05-10:19:13Z
    (planned 10:21:05Z)."""
    early = w.ended_early_at
    if early is not None and cancelled(w):
        planned = f"{w.starts_at:%H:%M:%S}-{w.ends_at:%H:%M:%S}Z"
        return f"cancelled {early:%H:%M:%S}Z (planned {planned})"
    if early is not None and early < w.ends_at:
        return f"{w.starts_at:%H:%M:%S}-{early:%H:%M:%S}Z (planned {w.ends_at:%H:%M:%S}Z)"
    return f"{w.starts_at:%H:%M:%S}-{w.ends_at:%H:%M:%S}Z"


def list_lines(snap: Any, now: Any) -> list[str]:
    """The table `faults list` prints: open windows first, how each ended beside why."""
    rows = [
        (
            w.id,
            shown_state(w, now),
            f"{w.spec.namespace}/{w.spec.target_host}",
            fault_cell(w.spec.delay_ms, "ms", w.spec.delay_percent),
            fault_cell(w.spec.abort_status, "", w.spec.abort_percent),
            window_cell(w),
            w.owner,
            "yes" if w.applied else "no",
            w.reason + (f" — {w.end_reason}" if w.end_reason else ""),
        )
        for w in sorted(snap.windows, key=lambda w: listing_order(w, now))
    ]
    header = ("ID", "STATE", "TARGET", "DELAY", "ABORT", "WINDOW", "OWNER", "APPLIED")
    return table_lines((*header, "REASON — HOW IT ENDED"), rows)


def list_json(snap: Any, now: Any) -> dict[str, Any]:
    """`faults list --json`: the snapshot, each window with its state as the table says it."""
    doc: dict[str, Any] = snap.model_dump(mode="json")
    for w, out in zip(snap.windows, doc["windows"], strict=True):
        out["state"] = shown_state(w, now)
    return doc
