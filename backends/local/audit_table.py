"""The hash-chained audit trail in the local store, with signed digests of its head.

With a signing key, every audit append also writes a signed digest of the new chain
head in the same transaction (so a crash never leaves a record without its digest), and
mirrors it after the commit to an append-only JSON-lines file next to the database, so
cutting records *and* digests out of the database is still caught. The mirror is created
with the first digest (before it is committed) and never again: a mirror deleted later
stays missing, for `verify` to report, instead of starting over without the old digests.

`audit_snapshot` reads what `verify` checks: the records and the digests in one read
transaction (appends by other processes go on meanwhile, unseen), then the mirror, less
the lines of digests committed after that snapshot. The records come as the chain check
needs them (backends.audit_chain.Link, straight from the rows), not as AuditRecords: a
long trail is checked without building a model object per record.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backends.audit_chain import (
    GENESIS,
    Digest,
    Link,
    canonical,
    fields_of,
    json_time,
    record_hash,
    sign_digest,
)
from backends.local.db import Database, db_time, from_db_time
from backends.models import AuditRecord

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


RECORDS_SQL = (
    "SELECT seq, id, at, actor, action, target, phase, outcome, details, prev_hash, hash FROM audit"
)
# a mirror line is written just after its digest's commit: lines of digests committed
# before the snapshot may still be on their way when the mirror is read (one per writing
# process); a mirror behind the snapshot by more than one is read again meanwhile
MIRROR_LAG_S = (0.05, 0.2, 0.5)


@dataclass(frozen=True)
class AuditSnapshot:
    records: list[Link]  # the whole trail, by seq
    in_db: list[Digest]  # the digests in the database, by n, as of the same moment
    in_log: list[Digest] | None  # the mirror's, by n, none newer than that; None: no mirror


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
        super().__init__(path)

    def append_audit(self, fields: dict[str, Any]) -> AuditRecord:
        """Append one record, chained to the last, and its signed digest, in one
        transaction; then mirror the digest to the digest log."""
        digest: Digest | None = None
        with self._tx() as db:
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
            if self.signer is not None:
                digest = self._sign_head(db, rec)
        if digest is not None and self.digest_log is not None:
            self._mirror(digest)
        return rec

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

    def audit_snapshot(self) -> AuditSnapshot:
        """The records and the digests as of one moment, and the mirror's digests but
        those committed after it: a mirror line is written after its digest's commit, so
        one newer than the snapshot is in the database by the time the mirror is read
        (unless it was cut out of it, which is then left for `verify` to find). A mirror
        without more than the snapshot's last digest is read again, for a moment: their
        lines may be on their way (`verify` lets one missing digest pass: a crash between
        a commit and its mirror line leaves that)."""
        with self._lock:
            self._db.execute("BEGIN")  # one read transaction: one snapshot of both tables
            try:
                rows = self._db.execute(RECORDS_SQL + " ORDER BY seq").fetchall()
                bodies = self._db.execute("SELECT body FROM audit_digest ORDER BY n").fetchall()
            finally:
                self._db.execute("COMMIT")
        in_db = [Digest.model_validate_json(b[0]) for b in bodies]
        known = {b[0]: d for b, d in zip(bodies, in_db, strict=True)}
        last = _last_n(in_db)
        in_log = self._read_mirror(known)
        for pause in MIRROR_LAG_S:
            if self.digest_log is None or in_log is None or _last_n(in_log) >= last - 1:
                break
            time.sleep(pause)
            in_log = self._read_mirror(known)
        if in_log and in_log[-1].n > last:
            with self._lock:
                later = self._db.execute(
                    "SELECT n, body FROM audit_digest WHERE n > ?", (last,)
                ).fetchall()
            committed = {n: Digest.model_validate_json(b).hash for n, b in later}
            in_log = [d for d in in_log if d.n <= last or committed.get(d.n) != d.hash]
        return AuditSnapshot([_link(r) for r in rows], in_db, in_log)

    def _read_mirror(self, known: dict[str, Digest]) -> list[Digest] | None:
        """The mirror's digests, by n; a line the same as a database row's body (`known`,
        by its text) is that row's digest, without reading it again."""
        if self.digest_log is None:
            return []
        try:
            text = self.digest_log.read_text()
        except FileNotFoundError:
            return None
        in_log: list[Digest] = []
        for line in text.splitlines():
            digest = known.get(line)
            if digest is None:
                try:
                    digest = Digest.model_validate_json(line)
                except ValueError:
                    continue  # a torn last line after a crash; the database has it
            in_log.append(digest)
        return sorted(in_log, key=lambda d: d.n)

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


def _last_n(digests: list[Digest]) -> int:
    return digests[-1].n if digests else 0


def _link(r: tuple[Any, ...]) -> Link:
    """A row as the chain check needs it: what its hash covers, from the JSON values
    `fields_of` gives its AuditRecord (which is not built)."""
    try:
        at, details = json_time(from_db_time(r[2])), json.loads(r[8])
    except (TypeError, ValueError):  # not as the store writes them: the hash cannot match
        at, details = r[2], r[8]
    fields = {  # the hashed fields (all but `hash`)
        "seq": r[0],
        "id": r[1],
        "at": at,
        "actor": r[3],
        "action": r[4],
        "target": r[5],
        "phase": r[6],
        "outcome": r[7],
        "details": details,
        "prev_hash": r[9],
    }
    return Link(r[0], r[9], r[10], canonical(fields))


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
