"""The audit trail's recent records as timeline events: what was granted, revoked,
scheduled, ended and halted before this dashboard started (or before a profile switch),
at the records' own times, one event per action (its request and outcome records); the
grants that ran out meanwhile (an expiry is no record, but a grant's record says when it
ends); and the fault windows they scheduled, for the report (backends/fault_log.py).

Pure logic; the app reads the records through the AuditSink contract and hands them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from backends.actions import APPLIED, did_nothing
from backends.alert_acks import ACK_ACTION, Ack, trail_acks
from backends.audit_text import action_line, record_time
from backends.fault_log import trail_windows
from backends.models import AuditRecord, AuditVerification, FaultWindow
from backends.timeline import (
    Event,
    Timeline,
    ack_key,
    expired_text,
    grant_key,
    halt_key,
    window_key,
)

HISTORY_WINDOW = timedelta(hours=12)  # how far back the timeline starts
HISTORY_RECORDS = 1000  # at most this many records (an action is two: request, outcome)
HISTORY_TIMEOUT_S = 10.0  # a trail slower than this is reported as not loaded
CHECK_TIMEOUT_S = 120.0  # checking the whole trail: slower than this, "not verified"
BOUNDS = f"the last {HISTORY_WINDOW / timedelta(hours=1):g} h, at most {HISTORY_RECORDS} records"
WINDOW_ACTIONS = {
    "fault-schedule": "open",
    "fault-start": "active",
    "fault-end": "end",
    "fault-reconcile-end": "end",
}


@dataclass(frozen=True)
class HistoryRead:
    events: dict[str, Event]  # by audit record id
    since: datetime  # the trail is complete from here
    windows: tuple[FaultWindow, ...] = ()  # the fault windows scheduled since then
    acks: Mapping[tuple[str, datetime], Ack] = field(default_factory=dict)  # alerts acked


def audit_key(r: AuditRecord, details: Mapping[str, str]) -> str:
    """The timeline key of what this record's action did, the same as the live event's
    for it (backends/timeline.py); none for an action that failed or was refused (nothing
    happened: a revoke, or an end, that found another had got there first)."""
    if did_nothing(r.outcome):
        return ""
    if r.action in ("grant", "revoke") and details.get("grant_id"):
        return grant_key(details["grant_id"], "start" if r.action == "grant" else "end")
    if r.action in WINDOW_ACTIONS and details.get("window_id"):
        return window_key(details["window_id"], WINDOW_ACTIONS[r.action])
    if r.action == "fault-halt-all":
        return halt_key(r.actor, details.get("reason", ""))
    if r.action == ACK_ACTION and details.get("since"):
        return ack_key(r.target, details["since"])
    return ""


def history_from(
    records: Iterable[AuditRecord],
    now: datetime,
    *,
    window: timedelta = HISTORY_WINDOW,
    limit: int = HISTORY_RECORDS,
) -> HistoryRead:
    """`records`: the trail's latest (at most `limit`), as `AuditSink.records` gives them."""
    got = sorted(records, key=lambda r: (r.at, r.seq))
    since = now - window
    if len(got) >= limit:  # cut by the limit: complete only from the oldest one read
        since = max(since, got[0].at)
    pairs = _paired(r for r in got if r.at >= since)
    events: dict[str, Event] = {}
    for rid, (request, outcome) in pairs.items():
        first = request or outcome
        assert first is not None
        key = audit_key(outcome or first, _details(request, outcome))
        events[rid] = Event(first.at, "audit", action_line(request, outcome), key)
    # every record read: a grant made before `since` may run out after it
    events.update(expiries(_paired(got), since, now))
    windows = trail_windows((request, outcome) for request, outcome in pairs.values())
    acks = trail_acks((request, outcome) for request, outcome in pairs.values())
    return HistoryRead(events, since, tuple(windows), acks)


Action = tuple[AuditRecord | None, AuditRecord | None]  # its request and outcome records


def _paired(records: Iterable[AuditRecord]) -> dict[str, Action]:
    """Each action's request and outcome records (they share an id), in the order given."""
    pairs: dict[str, Action] = {}
    for r in records:
        request, outcome = pairs.get(r.id, (None, None))
        pairs[r.id] = (r, outcome) if r.phase == "request" else (request, r)
    return pairs


def _details(request: AuditRecord | None, outcome: AuditRecord | None) -> dict[str, str]:
    return {**(request.details if request else {}), **(outcome.details if outcome else {})}


def expiries(actions: Mapping[str, Action], since: datetime, now: datetime) -> dict[str, Event]:
    """The grants these actions applied that ran out by `now`, from `since` on: nobody
    revoked them (no revoke record that did not fail: one whose outcome is unknown may have
    ended it), and their expiry, as their record says it, is past. Each at its expiry, with
    the words and the key of an expiry seen live (one seen here, or that the store said,
    is not said twice); by the grant's record id and ":expiry"."""
    ends: set[str] = set()
    granted: list[tuple[str, AuditRecord, str, datetime]] = []
    for rid, (request, outcome) in actions.items():
        first = outcome or request
        assert first is not None
        details = _details(request, outcome)
        key = audit_key(first, details)
        if key.endswith(":end"):
            ends.add(key)
        if first.action != "grant" or first.outcome != APPLIED or not details.get("grant_id"):
            continue
        expires = record_time(details.get("expires_at", ""))
        if expires is not None and since <= expires <= now:
            granted.append((rid, first, details["grant_id"], expires))
    out: dict[str, Event] = {}
    for rid, r, gid, expires in granted:
        key = grant_key(gid, "end")
        if key not in ends:
            subject, _, role = r.target.rpartition(":")
            what = f"{role} for {subject}" if subject else r.target
            out[f"{rid}:expiry"] = Event(expires, "audit", expired_text(gid, what, expires), key)
    return out


def check_outcome(result: AuditVerification) -> tuple[str, str]:
    """(Timeline.history_checked's state, its note) for what `verify` said."""
    if result.problem:
        where = f"record {result.first_bad_seq}: " if result.first_bad_seq is not None else ""
        return "failed", where + result.problem
    if result.key_problem:
        return "unchecked", result.key_problem
    return "ok", ""


def _check_title(tl: Timeline) -> str:
    if tl.history_check == "failed":
        return f", which FAILS VERIFICATION ({tl.history_check_note})"
    if tl.history_check == "unchecked":
        return f", not verified ({tl.history_check_note})"
    if tl.history_check == "checking":
        return " (checking it…)"
    return ""


def _check_report(tl: Timeline) -> str:
    if tl.history_check == "failed":
        return (
            f" **The audit trail fails verification** ({tl.history_check_note}): its"
            " events may have been altered."
        )
    if tl.history_check == "unchecked":
        return f" The audit trail could not be verified ({tl.history_check_note})."
    if tl.history_check == "checking":
        return " The audit trail was still being verified."
    return ""


def _hm(at: datetime, now: datetime) -> str:
    return f"{at:%H:%M}Z" if at.date() == now.date() else f"{at:%Y-%m-%d %H:%M}Z"


def history_note(tl: Timeline, now: datetime) -> str:
    """Where the timeline's events come from, for its title: '' before anything is read."""
    live = f"live from {_hm(tl.live_since, now)}" if tl.live_since else "live"
    if tl.history_state == "read" and tl.history_since is not None:
        return f"since {_hm(tl.history_since, now)} from the audit trail{_check_title(tl)}, {live}"
    if tl.history_state == "failed":
        return f"{live}; the audit history could not be loaded: {tl.history_error}"
    if tl.history_state == "reading":
        return f"{live}; reading the audit trail…"
    return ""


def report_note(tl: Timeline, now: datetime) -> str:
    """The same, in a sentence for the game-day report's timeline."""
    live = f"from {_hm(tl.live_since, now)}" if tl.live_since else "since it started"
    seen = f"what this dashboard saw, {live}"
    if tl.history_state == "read" and tl.history_since is not None:
        return (
            f"Events of kind `audit` come from the audit trail, read at start and at each"
            f" profile switch: since {_hm(tl.history_since, now)} ({BOUNDS}).{_check_report(tl)}"
            f" The others are {seen}."
        )
    if tl.history_state == "failed":
        return f"The audit history could not be loaded ({tl.history_error}): only {seen}."
    if tl.history_state == "reading":
        return f"The audit trail was still being read: only {seen}."
    return f"Only {seen}."
