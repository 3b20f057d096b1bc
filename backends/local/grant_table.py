"""Break-glass grants in the local store: insert, list, revoke, reap.

Expired grants are inactive on every read whether or not the reaper has run yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backends.local.db import Database, db_time, from_db_time
from backends.models import Grant, GrantEnded

REAPER = "reaper"  # revoked_by of a grant reaped at its expiry
ENDED_LIMIT = 200  # the most recently ended grants a poll reports
DEMO_CLAIM_KEY = "demo_grants_claimed"  # in `meta`: when a process took on adding them


def grant_row(r: Sequence[Any]) -> Grant:
    """A grant from a row of the grant columns, in their SELECT order."""
    return Grant(
        id=r[0],
        subject=r[1],
        role=r[2],
        reason=r[3],
        granted_by=r[4],
        granted_at=from_db_time(r[5]),
        expires_at=from_db_time(r[6]),
    )


ENDED_COLUMNS = "id, revoked_at, revoked_by, revoke_reason, subject, role"
GRANT_COLUMNS = "id, subject, role, reason, granted_by, granted_at, expires_at"
# the grants active at a time (?), by expiry
ACTIVE_SQL = (
    f"SELECT {GRANT_COLUMNS} FROM grants"
    " WHERE revoked_at IS NULL AND expires_at > ? ORDER BY expires_at, id"
)
# the grants revoked or reaped after a time (?), newest first
ENDED_SQL = (
    f"SELECT {ENDED_COLUMNS} FROM grants"
    f" WHERE revoked_at > ? ORDER BY revoked_at DESC, id LIMIT {ENDED_LIMIT}"
)


def ended_row(r: Sequence[Any]) -> GrantEnded:
    """How a grant ended, from a row of ENDED_COLUMNS: reaped at its expiry, or revoked."""
    by = "" if r[2] == REAPER else str(r[2] or "")
    return GrantEnded(
        id=r[0],
        at=from_db_time(r[1]),
        how="revoked" if by else "expired",
        subject=r[4],
        role=r[5],
        revoked_by=by,
        reason=r[3] if by else "",
    )


class GrantTable(Database):
    # the Grant of each active row as the last listing built it, by the row's values: a
    # row unchanged gives the same object (nothing to validate; whoever compares two polls'
    # grants, the pane, the timeline, finds them the same at a pointer's cost); holds only
    # the last listing's rows
    _listed: dict[tuple[Any, ...], Grant] | None = None

    def listed(self, rows: Sequence[Sequence[Any]]) -> list[Grant]:
        """The grants of these rows (ACTIVE_SQL's, in its order); called with the lock."""
        last = self._listed or {}
        now = {tuple(r): last.get(tuple(r)) or grant_row(r) for r in rows}
        self._listed = now
        return list(now.values())

    def insert_grant(self, g: Grant) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO grants (id, subject, role, reason, granted_by, granted_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    g.id,
                    g.subject,
                    g.role,
                    g.reason,
                    g.granted_by,
                    db_time(g.granted_at),
                    db_time(g.expires_at),
                ),
            )

    def active_grants(self, now: datetime) -> list[Grant]:
        with self._lock:
            rows = self._db.execute(ACTIVE_SQL, (db_time(now),)).fetchall()
            return self.listed(rows)

    def reap_and_list(
        self, now: datetime, ended_since: datetime
    ) -> tuple[list[Grant], list[GrantEnded]]:
        """One round trip for a poll: reap what expired, then list what is active and what
        ended after `ended_since`."""
        self.reap(now)
        return self.active_grants(now), self.ended_since(ended_since)

    def get_active(self, grant_id: str, now: datetime) -> Grant | None:
        with self._lock:
            r = self._db.execute(
                "SELECT id, subject, role, reason, granted_by, granted_at, expires_at FROM grants"
                " WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
                (grant_id, db_time(now)),
            ).fetchone()
        if r is None:
            return None
        return grant_row(r)

    def revoke(self, grant_id: str, by: str, reason: str, now: datetime) -> bool:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE grants SET revoked_at = ?, revoked_by = ?, revoke_reason = ?"
                " WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
                (db_time(now), by, reason, grant_id, db_time(now)),
            )
            return cur.rowcount == 1

    def ended_since(self, since: datetime, limit: int = ENDED_LIMIT) -> list[GrantEnded]:
        """Grants revoked or reaped after `since`, newest first (at most `limit`)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {ENDED_COLUMNS} FROM grants"
                " WHERE revoked_at > ? ORDER BY revoked_at DESC, id LIMIT ?",
                (db_time(since), limit),
            ).fetchall()
        return [ended_row(r) for r in rows]

    def ended(self, grant_id: str, now: datetime) -> GrantEnded | None:
        """How a grant that is not active ended (revoked, reaped, or past its expiry and
        not reaped yet); None: no such grant, or it is active."""
        with self._lock:
            r = self._db.execute(
                f"SELECT {ENDED_COLUMNS}, expires_at FROM grants WHERE id = ?",
                (grant_id,),
            ).fetchone()
        if r is None:
            return None
        if r[1] is not None:
            return ended_row(r)
        expires_at = from_db_time(r[6])
        if expires_at > now:
            return None
        return GrantEnded(id=r[0], at=expires_at, how="expired", subject=r[4], role=r[5])

    def reap(self, now: datetime) -> int:
        """Mark grants past their expiry as revoked by the reaper (no write if none are)."""
        with self._lock:
            (due,) = self._db.execute(
                "SELECT COUNT(*) FROM grants WHERE revoked_at IS NULL AND expires_at <= ?",
                (db_time(now),),
            ).fetchone()
        if not due:
            return 0
        with self._tx() as db:
            cur = db.execute(
                "UPDATE grants SET revoked_at = expires_at, revoked_by = ?,"
                " revoke_reason = 'ttl expired' WHERE revoked_at IS NULL AND expires_at <= ?",
                (REAPER, db_time(now)),
            )
            return cur.rowcount

    def claim_demo_grants(self, now: datetime) -> bool:
        """Whether this process is to add the demo grants: the store has no grant and no
        process has claimed them before. One write transaction (BEGIN IMMEDIATE), so two
        first runs at once on a fresh data dir add them once, not twice."""
        with self._tx() as db:
            (n,) = db.execute("SELECT COUNT(*) FROM grants").fetchone()
            if n:
                return False
            cur = db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                (DEMO_CLAIM_KEY, db_time(now)),
            )
            return cur.rowcount == 1

    def release_demo_claim(self) -> None:
        """Adding the demo grants failed before any went in: the next poll tries again."""
        with self._tx() as db:
            db.execute(
                "DELETE FROM meta WHERE key = ? AND NOT EXISTS (SELECT 1 FROM grants)",
                (DEMO_CLAIM_KEY,),
            )
