"""What the timeline says of a fault window or a rehearsal, and at what time: pure
functions of the snapshot's data (backends.timeline keeps the events)."""

from __future__ import annotations

from datetime import date, datetime

from backends.fault_times import cancelled_words, late_words
from backends.faults_core import cancelled, ended_at, unstarted
from backends.models import FaultWindow, GrantEnded, Rehearsal, WindowState


def window_text(w: FaultWindow, state: WindowState) -> str:
    """'fault window ID on NS/HOST scheduled|active|ended (owner …: why)'; how late it
    started, and by whose reconciler, if it did; why it ended."""
    target = f"{w.spec.namespace}/{w.spec.target_host}"
    verb = f"{cancelled_words(w)}, nothing injected" if cancelled(w) else state.value
    text = f"fault window {w.id} on {target} {verb} (owner {w.owner}: {w.reason})"
    if state is not WindowState.SCHEDULED and (late := late_words(w)):
        text += f"; started {late}"  # nobody ran a reconciler at its start
    early = w.ended_early_at is not None and w.ended_early_at < w.ends_at
    if state is WindowState.ENDED and w.end_reason:
        # HALT ALL, a guard, ended by; "ended on time" is not early
        lead = "ended early, " if early and not cancelled(w) else ""
        text += f"; {lead}{w.end_reason}"
    return text


def rehearsal_text(r: Rehearsal) -> str:
    """Which run, of which release, its status, and who started it why, as far as known."""
    text = f"rollback rehearsal {r.run_id or '(no run id)'}"
    if r.release:
        text += f" of {r.release}"
    text += f" {r.status.value}"
    if r.actor:
        text += f", triggered by {r.actor}" + (f": {r.reason}" if r.reason else "")
    return text


def stamp(at: datetime, today: date | None) -> str:
    """An event's time; with its date when that is not `today` (the trail goes back 12 h)."""
    return f"{at:%H:%M:%S}Z" if at.date() == today else f"{at:%Y-%m-%d %H:%M:%S}Z"


def happened(at: datetime | None, now: datetime) -> datetime:
    """When a change a snapshot shows happened, as its source says (a grant's granted_at, a
    window's end...), so that every dashboard on the same data says the same time, not
    when each noticed it; `now` when the source does not say (never later than `now`)."""
    return now if at is None else min(at, now)


def window_time(w: FaultWindow, state: WindowState, now: datetime) -> datetime:
    """When a window came to `state`: scheduled, its fault put in, or ended."""
    at = {
        WindowState.SCHEDULED: w.scheduled_at,
        WindowState.ACTIVE: w.started_at,
        WindowState.ENDED: ended_at(w),
    }[state]
    return happened(at, now)


def seen_state(w: FaultWindow, now: datetime) -> WindowState:
    """A window whose time has come but whose fault is not in yet (a read-only dashboard
    starts none) is still scheduled: it is noted active when it is started."""
    return WindowState.SCHEDULED if unstarted(w, now) else w.state(now)


def vanished_text(end: GrantEnded, source: str) -> str:
    """A grant gone from `source`'s list before its expiry, no revoke of it on record (OPA
    restarted and lost its data): what is known, and no more (nobody is said to revoke it)."""
    until = f" before its expiry at {end.expires_at:%H:%M:%S}Z" if end.expires_at else ""
    return f"no longer listed by {source or 'its source'}{until}, no revoke on record"


def gone_text(source: str) -> str:
    """A grant gone from `source`'s list, which does not say how: not revoked here, and
    before its expiry."""
    return f"no longer listed by {source or 'its source'} (not revoked or expired here)"
