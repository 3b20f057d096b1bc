"""Break-glass grants checked against the audit trail: a grant listed must be one the
trail records (its request and an `applied` outcome, with the same grant_id), as it
records it (subject:role, expiry, who granted it and why), and not revoked there.

The grants table alone is only a table: a row edited or inserted with sqlite3 listed
like any other, and the chain checks never looked at it. `GrantIndex` holds the trail's
grant and revoke records by grant_id, a few fields each; the store's index is read once
and then only from the last record it read on (`GrantAuditTable.reap_and_list_checked`),
so a poll a second costs a lookup per grant, not a read of the trail. `verify` builds one
for the grants listed only, streaming the trail's grant records (grant_verify.py).
The alert acks among the records a poll reads go to the index's AckTail
(backends/local/ack_tail.py): a dashboard shows another's ack within a poll.
"""

from __future__ import annotations

import json
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from backends.actions import APPLIED
from backends.alert_acks import ACK_ACTION
from backends.local.ack_tail import AckTail
from backends.local.db import db_time, from_db_time
from backends.local.grant_table import ACTIVE_SQL, ENDED_SQL, GrantTable, ended_row
from backends.models import Grant, GrantEnded, TrailAck

NOT_AUDITED = "not in the audit trail"
# a grant is inserted between its request record and its outcome: one whose outcome is
# not in the trail yet is taken as on its way for this long after its request
PENDING = timedelta(seconds=30)
GRANT_RECORDS_SQL = (
    "SELECT seq, id, at, actor, action, phase, target, outcome, details FROM audit"
    " WHERE seq > ? AND seq <= ? AND action IN ('grant', 'revoke') ORDER BY seq"
)
# what the grants poll reads of the records appended since its last poll: also the acks
TAIL_SQL = GRANT_RECORDS_SQL.replace("'revoke')", f"'revoke', '{ACK_ACTION}')")


@dataclass
class Audited:
    """A grant as its audit records have it."""

    requested_at: datetime
    actor: str
    target: str  # subject:role
    expires_at: datetime | None  # as its details say it (None: not a time with a zone)
    reason: str
    outcome: str | None = None  # None: none recorded (yet)
    revoked: bool = False  # a revoke of it was applied
    revoked_by: str = ""  # who, as the applied revoke's request records it
    revoke_reason: str = ""
    revoke_requested_at: datetime | None = None  # a revoke whose outcome is not read yet


@dataclass
class GrantIndex:
    """The trail's grants by grant_id, from its records read up to `seq`; `only`: keep
    just these grant ids (None: all). The alert acks among the rows go to `acks`."""

    only: Container[str] | None = None
    seq: int = 0
    grants: dict[str, Audited] = field(default_factory=dict)
    # by record id, the requests whose outcome is not read yet: (grant_id, action), and a
    # revoke's (actor, reason)
    _requests: dict[str, tuple[str, str]] = field(default_factory=dict)
    _revokes: dict[str, tuple[str, str]] = field(default_factory=dict)
    acks: AckTail = field(default_factory=AckTail)
    # the grants found as the trail records them, each with its record: unless either
    # changed, `problem` need not compare them again (each poll checks every grant listed)
    _fine: dict[str, tuple[Grant, Audited]] = field(default_factory=dict)

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        """Rows of GRANT_RECORDS_SQL (or TAIL_SQL), by seq."""
        for row in rows:
            seq, rid, at, actor, action, phase, target, outcome, details = row
            self.seq = max(self.seq, seq)
            if action == ACK_ACTION:
                self.acks.add(row)
                continue
            if phase == "request":
                self._request(rid, at, actor, action, target, details)
                continue
            gid_action = self._requests.pop(rid, None)
            if gid_action is None:
                continue
            gid, action = gid_action
            audited = self.grants.get(gid)
            revoke = self._revokes.pop(rid, None)
            if audited is None:
                continue
            if action == "grant":
                audited.outcome = outcome
                continue
            audited.revoke_requested_at = None
            if outcome == APPLIED and revoke is not None:
                audited.revoked = True
                audited.revoked_by, audited.revoke_reason = revoke

    def _request(
        self, rid: str, at: str, actor: str, action: str, target: str, details: str
    ) -> None:
        try:
            d = json.loads(details)
        except ValueError:
            return  # not as the store writes it: the chain check reports the record
        gid = d.get("grant_id", "") if isinstance(d, dict) else ""
        if not gid or (self.only is not None and gid not in self.only):
            return
        if action == "grant":
            expires = _time(d.get("expires_at", ""))
            self.grants[gid] = Audited(
                from_db_time(at), actor, target, expires, d.get("reason", "")
            )
        elif (audited := self.grants.get(gid)) is not None:
            audited.revoke_requested_at = from_db_time(at)
            self._revokes[rid] = (actor, str(d.get("reason", "")))
        self._requests[rid] = (gid, action)

    def forget_ended(self, listed: Container[str], now: datetime) -> None:
        """Let go of the grants that are over and not listed: revoked or not applied in the
        trail, or past their audited expiry. A dashboard open for a shift grants and reaps
        hundreds; without this the index kept every grant the trail ever had (it grew with
        the hours, not the grants held). What is left: the grants listed, and those on
        their way (a request whose outcome is not read yet, before its expiry). A grant put
        back by hand after it was let go is still marked (NOT_AUDITED rather than how it
        differs; `watchfloor audit verify` reads the whole trail and says how)."""
        over = [
            gid
            for gid, a in self.grants.items()
            if gid not in listed
            and (
                a.revoked
                or a.outcome not in (None, APPLIED)
                or (a.expires_at is None and a.outcome is not None)
                or (a.expires_at is not None and a.expires_at <= now)
            )
        ]
        for gid in over:
            del self.grants[gid]
            self._fine.pop(gid, None)
        if over:
            gone = set(over)
            self._requests = {r: ga for r, ga in self._requests.items() if ga[0] not in gone}
            self._revokes = {r: v for r, v in self._revokes.items() if r in self._requests}

    def problem(self, g: Grant, now: datetime) -> str:
        """How `g` is not as the trail records it, '' if it is."""
        a = self.grants.get(g.id)
        if a is None:
            return NOT_AUDITED
        fine = self._fine.get(g.id)  # found as recorded, and neither changed since
        if fine is not None and fine[0] is g and fine[1] is a and a.outcome == APPLIED:
            return "revoked in the audit trail" if a.revoked else ""
        if a.outcome is None:
            if now - a.requested_at <= PENDING:
                return ""
            return "its audited request has no outcome"
        if a.outcome != APPLIED:
            return f"its audit record says it was not applied ({a.outcome})"
        if a.revoked:
            return "revoked in the audit trail"
        differs = [name for name, ok in _fields(g, a) if not ok]
        if differs:
            return f"differs from its audit record: {', '.join(differs)}"
        self._fine[g.id] = (g, a)
        return ""


def _time(text: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def _fields(g: Grant, a: Audited) -> list[tuple[str, bool]]:
    subject, _, role = a.target.rpartition(":")
    return [
        ("subject", subject == g.subject),
        ("role", role == g.role),
        ("expiry", a.expires_at == g.expires_at),
        ("granted by", a.actor == g.granted_by),
        ("reason", a.reason == g.reason),
    ]


def checked(
    grants: Iterable[Grant],
    index: GrantIndex,
    now: datetime,
    last: Mapping[str, tuple[Grant, Grant]] | None = None,
    keep: dict[str, tuple[Grant, Grant]] | None = None,
) -> list[Grant]:
    """`grants`, each with its audit problem. `last`: the last poll's marked grants, by
    id, each as (the grant listed, as marked): one listed and marked as it was is the same
    object again; `keep` gets this poll's."""
    out, last = [], last or {}
    for g in grants:
        problem = index.problem(g, now)
        if problem:
            base, marked = last.get(g.id, (None, None))
            if base is not g or marked is None or marked.audit_problem != problem:
                marked = g.model_copy(update={"audit_problem": problem})
            if keep is not None:
                keep[g.id] = (g, marked)
            g = marked
        out.append(g)
    return out


class GrantAuditTable(GrantTable):
    """The store's grants, each checked against its index of the trail's grants."""

    _grant_index: GrantIndex | None = None
    # the last poll's marked grants (checked's `last`): marked as before, the same object
    _marked: dict[str, tuple[Grant, Grant]] | None = None

    def reap_and_list_checked(
        self, now: datetime, ended_since: datetime
    ) -> tuple[list[Grant], list[GrantEnded], tuple[TrailAck, ...]]:
        """As GrantTable.reap_and_list, each grant with its audit problem, and the alert
        acks made since `ended_since`. The grants and the records appended since the last
        poll are read in one read transaction: a grant listed has its request in what is
        read (it is appended first), and a grant revoked meanwhile is listed in neither."""
        self.reap(now)
        with self._lock:
            self._db.execute("BEGIN")
            try:
                grants = self.listed(self._db.execute(ACTIVE_SQL, (db_time(now),)).fetchall())
                ended = [ended_row(r) for r in self._db.execute(ENDED_SQL, (db_time(ended_since),))]
                index = self._read_index()
            finally:
                self._db.execute("COMMIT")
            if len(index.grants) > len(grants):  # some may be over: bounded by what is held
                index.forget_ended({g.id for g in grants}, now)
            marked: dict[str, tuple[Grant, Grant]] = {}
            out = checked(grants, index, now, self._marked, marked)
            self._marked = marked
            return out, ended, index.acks.recent(ended_since)

    def _read_index(self) -> GrantIndex:
        """The index, brought up to the trail's last record (read again from the start
        when the trail is shorter than what it read: cut, or another store file)."""
        (last,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM audit").fetchone()
        index = self._grant_index
        if index is None or last < index.seq:
            index = self._grant_index = GrantIndex()
        if last > index.seq:
            index.add(self._db.execute(TAIL_SQL, (index.seq, last)))
            index.seq = last
        return index
