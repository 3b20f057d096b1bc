"""The hash-chained audit trail in the local store, with signed digests of its head.

With a signing key, every audit append also writes a signed digest of the new chain
head in the same transaction (so a crash never leaves a record without its digest), and
mirrors it after the commit to an append-only JSON-lines file next to the database, so
cutting records *and* digests out of the database is still caught. The mirror is created
with the first digest (before it is committed) and never again: a mirror deleted later
stays missing, for `verify` to report, instead of starting over without the old digests.
An append holds a file lock beside the mirror from its transaction to its mirror line, so
the mirror's lines are in the order of their digests whichever processes append.

`audit_scan` reads what `verify` checks (backends.local.audit_scan): the records, the
digests and the mirror as of one moment, a row at a time, on a connection of its own.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backends.audit_chain import GENESIS, Digest, fields_of, record_hash, sign_digest
from backends.local.audit_scan import RECORDS_SQL, TrailScan, scan_trail
from backends.local.db import Database, db_time, from_db_time
from backends.models import AuditRecord
from backends.sqlite_files import naming

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class AuditTable(Database):
    def __init__(
        self,
        path: Path,
        signer: Callable[[bool], Ed25519PrivateKey] | None = None,
        digest_log: Path | None = None,
    ) -> None:
        """`signer(trail_exists)` gives the digest key (`trail_exists`: the trail has
        records already, so a missing key must not be replaced by a new one); it is asked
        on the first append, not at start-up."""
        self.signer = signer
        self.digest_log = digest_log
        self._scan_lock = threading.Lock()
        self._scan: sqlite3.Connection | None = None
        self._scan_closed = False
        super().__init__(path)

    def append_audit(self, fields: dict[str, Any]) -> AuditRecord:
        """Append one record, chained to the last, and its signed digest, in one
        transaction; then mirror the digest to the digest log."""
        with self._mirror_order():
            with self._tx() as db:
                rec = self._insert(db, fields)
                digest = self._sign_head(db, rec) if self.signer is not None else None
            if digest is not None and self.digest_log is not None:
                self._mirror(digest)
        return rec

    def _insert(self, db: sqlite3.Connection, fields: dict[str, Any]) -> AuditRecord:
        row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
        body = {**fields, "seq": seq, "prev_hash": prev}
        body["hash"] = record_hash(fields_of(AuditRecord.model_validate({**body, "hash": ""})))
        rec = AuditRecord.model_validate(body)
        db.execute(
            "INSERT INTO audit (seq, id, at, actor, action, target, phase, outcome, details,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rec.seq,
                rec.id,
                db_time(rec.at),
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

    @contextmanager
    def _mirror_order(self) -> Iterator[None]:
        """Held from an append's transaction to its mirror line, by every process on the
        data dir: the mirror's lines are in the order of their digests (verify reports a
        line out of order), as they were not when two processes committed one after the
        other and wrote their lines the other way round."""
        if self.signer is None or self.digest_log is None:
            yield
            return
        lock = self.digest_log.with_name(f".{self.digest_log.name}.lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _sign_head(self, db: sqlite3.Connection, rec: AuditRecord) -> Digest:
        assert self.signer is not None
        row = db.execute("SELECT body FROM audit_digest ORDER BY n DESC LIMIT 1").fetchone()
        last = Digest.model_validate_json(row[0]) if row else None
        key = self.signer(last is not None or rec.seq > 1)
        if last is None and self.digest_log is not None:
            # the first digest: its mirror exists before it is committed, so a trail with
            # digests and no mirror is one whose mirror was deleted
            os.close(os.open(self.digest_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
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
        try:
            fd = os.open(self.digest_log, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError:
            return  # deleted: not started over (it would lack the old digests); verify says so
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    @contextmanager
    def audit_scan(self) -> Iterator[TrailScan]:
        """What `verify` checks, as of one moment: one read transaction, for as long as
        the scan is used, on a connection of its own (this one is not held meanwhile: the
        panes' reads and the appends go on), opened with the first scan."""
        with self._scan_lock:
            db = self._scan_db()
            db.execute("BEGIN")
            scan: TrailScan | None = None
            try:
                scan = scan_trail(db, self.digest_log, self._digests_after)
                yield scan
            finally:
                if scan is not None:
                    scan.close()
                db.execute("COMMIT")

    def _scan_db(self) -> sqlite3.Connection:
        if self._scan_closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        if self._scan is None:
            with naming(self.path):
                self._scan = sqlite3.connect(
                    self.path, timeout=5.0, check_same_thread=False, isolation_level=None
                )
        return self._scan

    def _digests_after(self, n: int) -> dict[int, Digest]:
        """The digests after n, committed by now."""
        with self._lock:
            later = self._db.execute(
                "SELECT n, body FROM audit_digest WHERE n > ?", (n,)
            ).fetchall()
        return {n: Digest.model_validate_json(b) for n, b in later}

    def close(self) -> None:
        """A check under way stops at its next row, with OperationalError: it would hold
        the close (and the dashboard's quit) up for as long as a long trail takes."""
        scan = self._scan
        if scan is not None:
            scan.interrupt()
        with self._scan_lock:
            self._scan_closed = True
            if self._scan is not None:
                self._scan.close()
                self._scan = None
        super().close()

    def audit_records(self, limit: int | None = None) -> list[AuditRecord]:
        """The whole trail, or its latest `limit` records, oldest first."""
        with self._lock:
            if limit is None:
                rows = self._db.execute(RECORDS_SQL + " ORDER BY seq").fetchall()
            else:  # read only those (the dashboard asks at every start), not the whole trail
                rows = self._db.execute(
                    RECORDS_SQL + " ORDER BY seq DESC LIMIT ?", (limit,)
                ).fetchall()
                rows.reverse()
        return [_record(r) for r in rows]


def _record(r: tuple[Any, ...]) -> AuditRecord:
    return AuditRecord(
        seq=r[0],
        id=r[1],
        at=from_db_time(r[2]),
        actor=r[3],
        action=r[4],
        target=r[5],
        phase=r[6],
        outcome=r[7],
        details=json.loads(r[8]),
        prev_hash=r[9],
        hash=r[10],
    )
