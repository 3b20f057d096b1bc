"""The game-day report's fault windows: what was injected where, when, by whom and why, and
how each ended. The timeline names a window by its id; this section says what it did. It
lists every window of the game day (backends/fault_log.py), not only those the faults
source still lists (an ended one for an hour)."""

from __future__ import annotations

from datetime import date, datetime

from backends.durations import delay
from backends.fault_log import FaultLog, Logged, newest_first
from backends.fault_store import KEEP_ENDED
from backends.fault_times import late_words
from backends.faults_core import DUE, cancelled, span, unstarted
from backends.models import (
    FaultGuards,
    FaultSpec,
    FaultsSnapshot,
    FaultWindow,
    HealthState,
    WindowState,
)
from backends.text_safe import md_text
from backends.timeline_words import stamp


def fault_words(s: FaultSpec) -> str:
    """'+2.5s on 5% of requests' (the delay as the faults pane and `faults list` say it,
    as it is typed), 'abort 503 on 1% of requests', or both."""
    parts = []
    if s.delay_percent:
        parts.append(f"+{delay(s.delay_ms)} on {s.delay_percent:g}% of requests")
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
    return f" ({md_text(text)})" if text else ""


def _state(w: FaultWindow, now: datetime) -> str:
    state = w.state(now)
    if unstarted(w, now):
        return f"{DUE} (the fault is not in)"
    if state is WindowState.ENDED:
        today = now.date()
        if w.ended_early_at is not None and cancelled(w):
            why = f": {md_text(w.end_reason)}" if w.end_reason else ""
            return f"cancelled at {stamp(w.ended_early_at, today)}, before it started{why}"
        if w.ended_early_at is not None:
            why = f": {md_text(w.end_reason)}" if w.end_reason else ""
            return f"ended early at {stamp(w.ended_early_at, today)}{why}"
        said = f"ended at {stamp(w.ends_at, today)}"
        if w.ended_late_at is not None:  # its fault stayed in past its end: when it came out
            said = f"ended at {stamp(w.ended_late_at, today)} (planned {stamp(w.ends_at, today)})"
        return said + (f", {md_text(w.end_reason)}" if w.end_reason else "")
    return state.value


def fault_windows_section(
    snap: FaultsSnapshot | None, now: datetime, log: FaultLog | None = None
) -> list[str]:
    """'## Fault windows': each window of the game day, the newest start first: with a
    `log`, every one the faults source listed since the start and those only the audit
    trail records (it says which span); else those the latest snapshot lists. That none
    were is "None." only from a source that answered (as the pane says it)."""
    lines = ["", "## Fault windows", ""]
    today = now.date()
    if log is not None:
        entries = log.newest_first()
    else:
        entries = newest_first(Logged(w, snap.observed_at) for w in snap.windows) if snap else []
    health = snap.health if snap is not None else None
    if health is None or (health.state is HealthState.ERROR and health.last_ok_at is None):
        unknown = "Unknown: the faults source has not answered"
        unknown += f"{_paren(health.last_error) if health else ''}."
        if not entries:
            return [*lines, unknown]
        lines += [unknown, ""]
    elif health.state is HealthState.ERROR and health.last_ok_at is not None:
        lines += [
            f"As of {stamp(health.last_ok_at, today)}, the last good answer; "
            f"failing at the time of the report{_paren(health.last_error)}.",
            "",
        ]
    if log is not None:
        lines += [_span(log, today), ""]
    if not entries:
        lines.append("None.")
    for e in entries:
        lines += _entry(e, log, now)
    return lines


def _span(log: FaultLog, today: date) -> str:
    """Which windows the section lists: since when, from where, and any left out."""
    parts = []
    if log.since is not None:
        parts.append(
            f"every window the faults source listed from {stamp(log.since, today)} (it lists"
            f" one for {span(KEEP_ENDED)} after its end)"
        )
    if log.trail_since is not None:
        parts.append(
            f"every one the audit trail records scheduled since {stamp(log.trail_since, today)}"
        )
    said = " and ".join(parts) or "the windows seen"
    text = f"{said[0].upper()}{said[1:]}, the newest start first."
    if log.cut:
        text += f" The {log.cut} oldest are left out (the report keeps {log.limit})."
    return text


def _entry(e: Logged, log: FaultLog | None, now: datetime) -> list[str]:
    w, today = e.window, now.date()
    target = md_text(f"{w.spec.namespace}/{w.spec.target_host}")
    state = _state(w, now)
    if e.last_listed is None:  # only the trail says: not what it injected, nor its guards
        what, guards = "what it injected is not in the audit trail", "not in the audit trail"
    else:
        what, guards = fault_words(w.spec), md_text(guard_words(w.guards))
        gone = log is not None and w.id not in log.listed
        if gone and w.state(now) is not WindowState.ENDED:
            state += (
                f" when last listed at {stamp(e.last_listed, today)}; the faults source no"
                " longer lists it"
            )
    planned = f"  - planned {stamp(w.starts_at, today)} to {stamp(w.ends_at, today)}"
    if (late := late_words(w)) and w.started_at is not None:
        planned += f"; started {stamp(w.started_at, today)}, {late}"
    return [
        f"- **{md_text(w.id)}** on {target}: {what}",
        planned,
        f"  - state: {state}",
        f"  - scheduled by {md_text(w.owner)}: {md_text(' '.join(w.reason.split()))}",
        f"  - guards: {guards}",
    ]
