"""How an audit record reads in the timeline (and its outcome in `watchfloor audit list`),
and what a scheduled fault window's outcome says."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from backends.actions import APPLIED
from backends.durations import duration
from backends.models import AuditRecord, FaultWindow
from backends.timeline_words import stamp

OS_USER = "os_user"  # the details key of the Unix user that wrote a record (the local sink's)

# details that name the object an action was about, in the order they are looked for
OBJECT_IDS = (
    ("grant_id", "grant"),
    ("window_id", "window"),
    ("windows", "windows"),
    ("release", "rolls back"),  # a rollback rehearsal: the release it rolled back
)


def record_time(text: str) -> datetime | None:
    """A time as a record's details say it, in UTC; None: not a time with a zone."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at.astimezone(UTC) if at.tzinfo is not None else None


def schedule_outcome(w: FaultWindow) -> str:
    """What scheduling `w` did, for its audit outcome: "applied" when its fault went in at
    once; for a later start "scheduled, starts 14:05:00Z" (with its date when that is not
    the day it was scheduled): "applied" read as in the mesh already."""
    if w.applied:
        return APPLIED
    return f"scheduled, starts {stamp(w.starts_at, (w.scheduled_at or w.starts_at).date())}"


def who(actor: str, details: Mapping[str, str]) -> str:
    """The actor, and the OS user that acted where it is not the actor (the actor is
    config, `ui.actor`): "carol (os user root)"."""
    os_user = details.get(OS_USER, "")
    return f"{actor} (os user {os_user})" if os_user and os_user != actor else actor


def outcome_suffix(r: AuditRecord) -> str:
    """The outcome after a space (` applied`, ` failed: ...`); nothing for a request."""
    return f" {r.outcome}" if r.outcome else ""


def grant_term(r: AuditRecord, details: Mapping[str, str]) -> str:
    """For a grant applied, how long and until when, as its details say and as a live
    timeline row says it: " for 30m00s, until 09:30:00Z" (dated when not the record's
    day; no TTL recorded, the simulator's: ", until ..."). "" for anything else."""
    if r.action != "grant" or r.outcome != APPLIED:
        return ""
    try:
        expires = datetime.fromisoformat(details.get("expires_at", ""))
        ttl = f" for {duration(int(details['ttl_s']))}" if details.get("ttl_s") else ""
    except ValueError:
        return ""  # not a time (or a number) this reads: said as before, with no term
    if expires.tzinfo is None:
        return ""
    return f"{ttl}, until {stamp(expires, r.at.date())}"


def action_line(request: AuditRecord | None, outcome: AuditRecord | None) -> str:
    """One action (its request and outcome records, which share an id) in a sentence:
    `dave grant alice:sre-oncall applied for 30m00s, until 09:30:00Z: INC-4711 gateway is
    on fire (grant 3f2a...)`."""
    r = outcome or request
    assert r is not None
    details = {**(request.details if request else {}), **(outcome.details if outcome else {})}
    said = outcome_suffix(outcome) if outcome else " requested (no outcome recorded)"
    target = "in every namespace" if r.target == "*" else r.target  # HALT ALL's target
    text = f"{who(r.actor, details)} {r.action} {target}{said}{grant_term(r, details)}"
    why = details.get("reason") or details.get("alert")  # an ack: which alert, since when
    if why:
        text += f": {why}"
    ids = [f"{name} {details[key]}" for key, name in OBJECT_IDS if details.get(key)]
    if ids:
        text += f" ({', '.join(ids)})"
    return text
