"""The embedded SQLite store (WAL): break-glass grants and the hash-chained audit trail.

Synchronous and thread-safe behind one lock; callers run it in a thread. Expired grants
are inactive on every read whether or not the reaper has run yet.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backends.audit_chain import GENESIS, record_hash
from backends.models import AuditRecord, Grant

SCHEMA = """
CREATE TABLE IF NOT EXISTS grants (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    role TEXT NOT NULL,
    reason TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT,
    revoke_reason TEXT
);
CREATE INDEX IF NOT EXISTS grants_expiry ON grants (expires_at);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    phase TEXT NOT NULL,
    outcome TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
"""


def _ts(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- grants -------------------------------------------------------------------------

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
                    _ts(g.granted_at),
                    _ts(g.expires_at),
                ),
            )

    def active_grants(self, now: datetime) -> list[Grant]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, subject, role, reason, granted_by, granted_at, expires_at FROM grants"
                " WHERE revoked_at IS NULL AND expires_at > ? ORDER BY expires_at, id",
                (_ts(now),),
            ).fetchall()
        return [
            Grant(
                id=r[0],
                subject=r[1],
                role=r[2],
                reason=r[3],
                granted_by=r[4],
                granted_at=_dt(r[5]),
                expires_at=_dt(r[6]),
            )
            for r in rows
        ]

    def reap_and_list(self, now: datetime) -> list[Grant]:
        """One round trip for a poll: reap what expired, then list what is active."""
        self.reap(now)
        return self.active_grants(now)

    def get_active(self, grant_id: str, now: datetime) -> Grant | None:
        return next((g for g in self.active_grants(now) if g.id == grant_id), None)

    def revoke(self, grant_id: str, by: str, reason: str, now: datetime) -> bool:
        with self._tx() as db:
            cur = db.execute(
                "UPDATE grants SET revoked_at = ?, revoked_by = ?, revoke_reason = ?"
                " WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
                (_ts(now), by, reason, grant_id, _ts(now)),
            )
            return cur.rowcount == 1

    def reap(self, now: datetime) -> int:
        """Mark grants past their expiry as revoked by the reaper (no write if none are)."""
        with self._lock:
            (due,) = self._db.execute(
                "SELECT COUNT(*) FROM grants WHERE revoked_at IS NULL AND expires_at <= ?",
                (_ts(now),),
            ).fetchone()
        if not due:
            return 0
        with self._tx() as db:
            cur = db.execute(
                "UPDATE grants SET revoked_at = expires_at, revoked_by = 'reaper',"
                " revoke_reason = 'ttl expired' WHERE revoked_at IS NULL AND expires_at <= ?",
                (_ts(now),),
            )
            return cur.rowcount

    def grant_count(self) -> int:
        with self._lock:
            (n,) = self._db.execute("SELECT COUNT(*) FROM grants").fetchone()
        return int(n)

    # --- audit ----------------------------------------------------------------------------

    def append_audit(self, fields: dict[str, Any]) -> AuditRecord:
        """Append one record, chained to the last, in one transaction."""
        with self._tx() as db:
            row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
            body = {**fields, "seq": seq, "prev_hash": prev}
            body["hash"] = record_hash(
                AuditRecord.model_validate({**body, "hash": ""}).model_dump(mode="json")
            )
            rec = AuditRecord.model_validate(body)
            db.execute(
                "INSERT INTO audit (seq, id, at, actor, action, target, phase, outcome, details,"
                " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rec.seq,
                    rec.id,
                    _ts(rec.at),
                    rec.actor,
                    rec.action,
                    rec.target,
                    rec.phase,
                    rec.outcome,
                    json.dumps(rec.details, sort_keys=True),
                    rec.prev_hash,
                    rec.hash,
                ),
            )
        return rec

    def audit_records(self, limit: int | None = None) -> list[AuditRecord]:
        sql = (
            "SELECT seq, id, at, actor, action, target, phase, outcome, details, prev_hash,"
            " hash FROM audit ORDER BY seq"
        )
        with self._lock:
            rows = self._db.execute(sql).fetchall()
        if limit is not None:
            rows = rows[-limit:]
        return [
            AuditRecord(
                seq=r[0],
                id=r[1],
                at=_dt(r[2]),
                actor=r[3],
                action=r[4],
                target=r[5],
                phase=r[6],
                outcome=r[7],
                details=json.loads(r[8]),
                prev_hash=r[9],
                hash=r[10],
            )
            for r in rows
        ]
