"""The embedded SQLite database (WAL) of the local backend: its schema, one connection
behind one lock, and transactions. Synchronous and thread-safe; callers run it in a
thread. The tables' queries are backends.local.grant_table, backends.local.audit_table
and backends.local.train_table (the release train's origin in `meta`, and its manual
rehearsals). Tables are only ever added (IF NOT EXISTS), so an older data dir opens as is.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from backends.data_dir import make_data_dir
from backends.sqlite_files import naming, opening

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
CREATE INDEX IF NOT EXISTS grants_revoked ON grants (revoked_at);
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
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rehearsals (
    n INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    release TEXT
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


def db_time(dt: datetime) -> str:
    """Timestamps are stored as UTC ISO 8601 text, to the microsecond."""
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class Database:
    def __init__(self, path: Path) -> None:
        make_data_dir(path.parent)
        self.path = path
        self._lock = threading.Lock()
        with naming(path):
            self._db = sqlite3.connect(
                path, timeout=5.0, check_same_thread=False, isolation_level=None
            )
            with opening(path):
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
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
