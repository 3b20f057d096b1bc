"""The embedded SQLite store (WAL): break-glass grants and the hash-chained audit trail.

Synchronous and thread-safe behind one lock; callers run it in a thread. Expired grants
are inactive on every read whether or not the reaper has run yet.

With a signing key, every audit append also writes a signed digest of the new chain
head in the same transaction (so a crash never leaves a record without its digest), and
mirrors it after the commit to an append-only JSON-lines file next to the database, so
cutting records *and* digests out of the database is still caught.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backends.audit_chain import GENESIS, Digest, record_hash, sign_digest
from backends.models import AuditRecord, Grant

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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
CREATE TABLE IF NOT EXISTS audit_digest (
    n INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_append_only_u BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_append_only_d BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS digest_append_only_u BEFORE UPDATE ON audit_digest
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS digest_append_only_d BEFORE DELETE ON audit_digest
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""
# Triggers stop accidents and casual edits; someone who drops them is caught by verify.
APPEND_ONLY_TRIGGERS = (
    "audit_append_only_u",
    "audit_append_only_d",
    "digest_append_only_u",
    "digest_append_only_d",
)


def _ts(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class Store:
    def __init__(
        self,
        path: Path,
        signer: Callable[[], Ed25519PrivateKey] | None = None,
        digest_log: Path | None = None,
    ) -> None:
        """`signer` gives the digest key; it is asked on the first append, not at start-up."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.signer = signer
        self.digest_log = digest_log
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
        with self._lock:
            r = self._db.execute(
                "SELECT id, subject, role, reason, granted_by, granted_at, expires_at FROM grants"
                " WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
                (grant_id, _ts(now)),
            ).fetchone()
        if r is None:
            return None
        return Grant(
            id=r[0],
            subject=r[1],
            role=r[2],
            reason=r[3],
            granted_by=r[4],
            granted_at=_dt(r[5]),
            expires_at=_dt(r[6]),
        )

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
        """Append one record, chained to the last, and its signed digest, in one
        transaction; then mirror the digest to the digest log."""
        digest: Digest | None = None
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
            if self.signer is not None:
                digest = self._sign_head(db, rec)
        if digest is not None and self.digest_log is not None:
            self._mirror(digest)
        return rec

    def _sign_head(self, db: sqlite3.Connection, rec: AuditRecord) -> Digest:
        assert self.signer is not None
        key = self.signer()
        row = db.execute("SELECT body FROM audit_digest ORDER BY n DESC LIMIT 1").fetchone()
        last = Digest.model_validate_json(row[0]) if row else None
        digest = sign_digest(
            key,
            n=(last.n + 1) if last else 1,
            at=rec.at,
            head_seq=rec.seq,
            head_hash=rec.hash,
            prev_digest=last.hash if last else GENESIS,
        )
        db.execute(
            "INSERT INTO audit_digest (n, body) VALUES (?, ?)",
            (digest.n, digest.model_dump_json()),
        )
        return digest

    def _mirror(self, digest: Digest) -> None:
        assert self.digest_log is not None
        line = (digest.model_dump_json() + "\n").encode()
        fd = os.open(self.digest_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def audit_digests(self) -> tuple[list[Digest], list[Digest]]:
        """(the digests in the database, the digests in the mirror log), each by n."""
        with self._lock:
            rows = self._db.execute("SELECT body FROM audit_digest ORDER BY n").fetchall()
        in_db = [Digest.model_validate_json(r[0]) for r in rows]
        in_log: list[Digest] = []
        if self.digest_log is not None and self.digest_log.exists():
            for line in self.digest_log.read_text().splitlines():
                try:
                    in_log.append(Digest.model_validate_json(line))
                except ValueError:
                    continue  # a torn last line after a crash; the database has it
        return in_db, sorted(in_log, key=lambda d: d.n)

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
