"""The game-day report's fault windows: what was injected where, when, by whom and why, and
how each ended. The timeline names a window by its id; this section says what it did."""

from __future__ import annotations

from datetime import datetime

from backends.faults_core import DUE, cancelled, unstarted
from backends.models import (
    FaultGuards,
    FaultSpec,
    FaultsSnapshot,
    FaultWindow,
    HealthState,
    WindowState,
)
from backends.timeline import stamp


def fault_words(s: FaultSpec) -> str:
    """'+2500 ms on 5% of requests', 'abort 503 on 1% of requests', or both."""
    parts = []
    if s.delay_percent:
        parts.append(f"+{s.delay_ms} ms on {s.delay_percent:g}% of requests")
    if s.abort_percent:
        parts.append(f"abort {s.abort_status} on {s.abort_percent:g}% of requests")
    return ", ".join(parts) or "nothing (0% of requests)"


def guard_words(g: FaultGuards) -> str:
    """What ends the window early, on which route; 'none'."""
    parts = []
    if g.p999_ms_above is not None:
        parts.append(f"p99.9 above {g.p999_ms_above:g} ms")
    if g.error_rate_above is not None:
        parts.append(f"error rate above {g.error_rate_above * 100:g}%")  # 0.5%, not 0%
    if not parts:
        return "none"
    return f"{' or '.join(parts)} on {g.route or 'any route'} ends it early"


def _paren(text: str | None) -> str:
    return f" ({text})" if text else ""


def _state(w: FaultWindow, now: datetime) -> str:
    state = w.state(now)
    if unstarted(w, now):
        return f"{DUE} (the fault is not in)"
    if state is WindowState.ENDED:
        today = now.date()
        if w.ended_early_at is not None and cancelled(w):
            why = f": {w.end_reason}" if w.end_reason else ""
            return f"cancelled at {stamp(w.ended_early_at, today)}, before it started{why}"
        if w.ended_early_at is not None:
            why = f": {w.end_reason}" if w.end_reason else ""
            return f"ended early at {stamp(w.ended_early_at, today)}{why}"
        return f"ended at {stamp(w.ends_at, today)}" + (f", {w.end_reason}" if w.end_reason else "")
    return state.value


def fault_windows_section(snap: FaultsSnapshot | None, now: datetime) -> list[str]:
    """'## Fault windows': each window the faults pane knows, the newest start first. An
    empty list is "None." only from a source that answered (as the pane says it)."""
    lines = ["", "## Fault windows", ""]
    today = now.date()
    if snap is None:
        return [*lines, "Unknown: the faults source has not answered."]
    health = snap.health
    if health.state is HealthState.ERROR and health.last_ok_at is None:
        return [*lines, f"Unknown: the faults source has not answered{_paren(health.last_error)}."]
    if health.state is HealthState.ERROR and health.last_ok_at is not None:
        lines += [
            f"As of {stamp(health.last_ok_at, today)}, the last good answer; "
            f"failing at the time of the report{_paren(health.last_error)}.",
            "",
        ]
    ordered = sorted(snap.windows, key=lambda w: (w.starts_at, w.id), reverse=True)
    if not ordered:
        lines.append("None.")
    for w in ordered:
        lines += [
            f"- **{w.id}** on {w.spec.namespace}/{w.spec.target_host}: {fault_words(w.spec)}",
            f"  - planned {stamp(w.starts_at, today)} to {stamp(w.ends_at, today)}",
            f"  - state: {_state(w, now)}",
            f"  - scheduled by {w.owner}: {' '.join(w.reason.split())}",
            f"  - guards: {guard_words(w.guards)}",
        ]
    return lines
