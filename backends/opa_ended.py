"""How the grants that left OPA's listing ended, as far as can be known (GrantsSnapshot.ended).

OPA keeps no record of a grant once it is deleted, and loses them all when it restarts
without persistence. So each grant's end is worked out here: one this adapter deleted
(its revoke, its reaper) is known; one gone past its expiry ran out; one gone before its
expiry is looked up in the audit trail: a revoke of it on record (from another dashboard
or terminal) says who and why; none on record (OPA restarted and lost its data, someone
deleted it by hand) is `unlisted`, which the alert rules raise while the grant would still
have run. The trail is read on the first poll (a grant granted here and not listed any more
is one gone while no dashboard ran: `grants list` says so too) and when a grant vanishes
that this adapter did not end; not every second.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from backends.actions import APPLIED, did_nothing
from backends.audit_text import record_time
from backends.contracts import AuditSink
from backends.models import AuditRecord, Grant, GrantEnded

ENDED_WINDOW = timedelta(minutes=10)  # as the local store's: how long an end is listed
TRAIL_RECORDS = 1000  # the trail's newest records read for a grant's end


@dataclass(frozen=True)
class TrailGrant:
    """A grant applied on `backend`, as the trail records it."""

    id: str
    subject: str
    role: str
    expires_at: datetime


def read_trail(
    records: Iterable[AuditRecord], backend: str
) -> tuple[dict[str, TrailGrant], dict[str, GrantEnded]]:
    """The grants applied on `backend`, and the revokes of grants on record (a revoke
    whose outcome is not known yet, or is `applied`: one that failed or was refused changed
    nothing), by grant id."""
    grants: dict[str, TrailGrant] = {}
    revokes: dict[str, GrantEnded] = {}
    requests = {r.id: r for r in records if r.phase == "request"}
    outcomes = {r.id: r for r in records if r.phase == "outcome"}
    for rid, r in requests.items():
        gid = r.details.get("grant_id", "")
        out = outcomes.get(rid)
        if not gid or (out is not None and did_nothing(out.outcome)):
            continue
        subject, _, role = r.target.rpartition(":")
        if r.action == "revoke":
            revokes[gid] = GrantEnded(
                id=gid,
                at=(out or r).at,
                how="revoked",
                subject=subject,
                role=role,
                revoked_by=r.actor,
                reason=r.details.get("reason", ""),
            )
        elif r.action == "grant" and out is not None and out.outcome == APPLIED:
            expires = record_time(r.details.get("expires_at", ""))
            if expires is not None and r.details.get("backend", backend) == backend:
                grants[gid] = TrailGrant(gid, subject, role, expires)
    return grants, revokes


def unlisted(gid: str, subject: str, role: str, expires_at: datetime, at: datetime) -> GrantEnded:
    return GrantEnded(
        id=gid, at=at, how="unlisted", subject=subject, role=role, expires_at=expires_at
    )


def expired(g: Grant, by: str = "") -> GrantEnded:
    return GrantEnded(
        id=g.id,
        at=g.expires_at,
        how="expired",
        subject=g.subject,
        role=g.role,
        revoked_by=by,
        expires_at=g.expires_at,
    )


def revoked(g: Grant, by: str, reason: str, at: datetime) -> GrantEnded:
    return GrantEnded(
        id=g.id,
        at=at,
        how="revoked",
        subject=g.subject,
        role=g.role,
        revoked_by=by,
        reason=reason,
        expires_at=g.expires_at,
    )


class EndedGrants:
    """The listing's grants from poll to poll, and how those that left it ended."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.listed: dict[str, Grant] | None = None  # None: no poll yet
        self.ended: dict[str, GrantEnded] = {}
        self.mine: dict[str, GrantEnded] = {}  # ended by this adapter, not listed yet

    def ended_here(self, end: GrantEnded) -> None:
        """This adapter deleted it (a revoke, the reaper)."""
        self.mine[end.id] = end

    async def read(self, audit: AuditSink) -> list[AuditRecord]:
        """The trail's newest records: whether a grant gone was revoked (none if it cannot
        be read: a grant gone before its expiry is then said to be gone unexplained)."""
        try:
            return await audit.records(TRAIL_RECORDS)
        except Exception:
            return []

    def needs_trail(self, grants: Iterable[Grant], now: datetime) -> bool:
        """Whether the trail must be read to say how the grants gone since the last poll
        ended: the first poll, or one gone before its expiry that this adapter did not end."""
        if self.listed is None:
            return True
        ids = {g.id for g in grants}
        return any(
            gid not in ids and gid not in self.mine and not g.expired(now)
            for gid, g in self.listed.items()
        )

    def update(
        self, grants: Iterable[Grant], now: datetime, trail: Iterable[AuditRecord] | None
    ) -> tuple[GrantEnded, ...]:
        """The ends to list after a poll that listed `grants`, newest first; `trail`: the
        records read (None: not read, not needed)."""
        current = {g.id: g for g in grants}
        on_record, revokes = read_trail(trail or (), self.backend)
        if self.listed is None:  # granted here, gone before this dashboard started
            for t in on_record.values():
                if t.id not in current and t.id not in revokes and t.expires_at > now:
                    self.ended[t.id] = unlisted(t.id, t.subject, t.role, t.expires_at, now)
            for gid, end in revokes.items():  # revoked lately: as the local store lists them
                if gid not in current and now - end.at < ENDED_WINDOW:
                    self.ended[gid] = end
        for gid, g in (self.listed or {}).items():
            if gid in current:
                continue
            if gid in self.mine:
                self.ended[gid] = self.mine[gid]
            elif gid in revokes:
                self.ended[gid] = revokes[gid].model_copy(update={"expires_at": g.expires_at})
            elif g.expired(now):
                self.ended[gid] = expired(g)
            else:
                self.ended[gid] = unlisted(gid, g.subject, g.role, g.expires_at, now)
        self.listed = current
        self.mine = {gid: e for gid, e in self.mine.items() if now - e.at < ENDED_WINDOW}
        self.ended = {
            gid: e
            for gid, e in self.ended.items()
            if gid not in current and (now - e.at < ENDED_WINDOW or lasting(e, now))
        }
        return tuple(sorted(self.ended.values(), key=lambda e: e.at, reverse=True))


def lasting(end: GrantEnded, now: datetime) -> bool:
    """A grant gone with no revoke on record, while it would still have run."""
    return end.how == "unlisted" and end.expires_at is not None and now < end.expires_at
