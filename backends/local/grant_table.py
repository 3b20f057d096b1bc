"""Break-glass grants in the local store: insert, list, revoke, reap.

Expired grants are inactive on every read whether or not the reaper has run yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backends.local.db import Database, db_time, from_db_time
from backends.models import Grant


def _grant(r: Sequence[Any]) -> Grant:
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


class GrantTable(Database):
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
            rows = self._db.execute(
                "SELECT id, subject, role, reason, granted_by, granted_at, expires_at FROM grants"
                " WHERE revoked_at IS NULL AND expires_at > ? ORDER BY expires_at, id",
                (db_time(now),),
            ).fetchall()
        return [_grant(r) for r in rows]

    def reap_and_list(self, now: datetime) -> list[Grant]:
        """One round trip for a poll: reap what expired, then list what is active."""
        self.reap(now)
        return self.active_grants(now)

    def get_active(self, grant_id: str, now: datetime) -> Grant | None:
        with self._lock:
            r = self._db.execute(
                "SELECT id, subject, role, reason, granted_by, granted_at, expires_at FROM grants"
                " WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
                (grant_id, db_time(now)),
            ).fetchone()
        if r is None:
            return None
        return _grant(r)

    def revoke(self, grant_id: str, by: str, reason: str, now: datetime) -> bool:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE grants SET revoked_at = ?, revoked_by = ?, revoke_reason = ?"
                " WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
                (db_time(now), by, reason, grant_id, db_time(now)),
            )
            return cur.rowcount == 1

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
                "UPDATE grants SET revoked_at = expires_at, revoked_by = 'reaper',"
                " revoke_reason = 'ttl expired' WHERE revoked_at IS NULL AND expires_at <= ?",
                (db_time(now),),
            )
            return cur.rowcount

    def grant_count(self) -> int:
        with self._lock:
            (n,) = self._db.execute("SELECT COUNT(*) FROM grants").fetchone()
        return int(n)
