"""What `verify` checks of the local audit trail, read a row and a line at a time.

A scan is one read transaction (AuditTable.audit_scan, on a connection of its own): the
records and the digests as of one moment, however long the check takes; appends by this
and other processes go on meanwhile, unseen. Nothing is kept per record or per digest:
the records come one by one as the chain check needs them (backends.audit_chain.Link,
straight from the rows, no AuditRecord built), and so do the digests, each with the hash
of the record it vouches for (from a second cursor, in step with them).

The mirror (the digest log) is read after the snapshot is taken, line by line, against
the database's digests in step: a line as the database has its digest (every line, in a
sound trail) is only counted; only the lines that are not (a digest the database lacks
or has otherwise) are kept, to be checked with the database's. Lines of digests
committed after the snapshot are left out: a mirror line is written after its digest's
commit, so one newer than the snapshot is in the database by the time the mirror is
read (unless it was cut out of it, which is then left for `verify` to find).
"""

from __future__ import annotations

import heapq
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backends.audit_chain import Digest, Link, Vouched, canonical, json_time
from backends.local.db import from_db_time

RECORDS_SQL = (
    "SELECT seq, id, at, actor, action, target, phase, outcome, details, prev_hash, hash FROM audit"
)
DIGESTS_SQL = "SELECT n, body FROM audit_digest ORDER BY n"
# a mirror line is written just after its digest's commit: lines of digests committed
# before the snapshot may still be on their way when the mirror is read (one per writing
# process); a mirror behind the snapshot by more than one is read again meanwhile
MIRROR_LAG_S = (0.05, 0.2, 0.5)


@dataclass
class Mirror:
    """The digest log as read against the database's digests."""

    lines: int = 0  # the digests it holds (torn lines aside)
    last_as_db: int = 0  # the last n of those that are as the database has them
    # the others, in the log's order: (its digest, the database's of that n or None)
    odd: list[tuple[Digest, Digest | None]] = field(default_factory=list)

    # the first line that is not a digest, or not after the one before ("" if none)
    problem: str = ""
    _prev: int = 0  # the n of the line before

    @property
    def last(self) -> int:
        """The last digest it holds (its n), 0 if none."""
        return max([self.last_as_db, *(d.n for d, _ in self.odd)])

    def saw(self, number: int, n: int) -> None:
        """Line `number` holds digest `n`: after the one before it, or a problem."""
        if n <= self._prev:
            again = "repeats" if n == self._prev else f"is digest {n}, after"
            self.fault(number, f"{again} digest {self._prev} (lines reordered?)")
        self._prev = max(self._prev, n)

    def fault(self, number: int, what: str) -> None:
        if not self.problem:
            self.problem = f"line {number} {what}"


@dataclass
class TrailScan:
    """The trail as of one moment: `records` and the database's `digests` (how many,
    and the `last` one's n), the `mirror` (None: it does not exist), and, read on
    demand, the records (`links`) and every digest (`vouched`)."""

    db: sqlite3.Connection
    records: int
    digests: int
    last: int
    mirror: Mirror | None
    # (row n, its digest): the first row of the digests read that holds another n's
    # digest; the mirror is matched to the rows by their n (so the check fails with one)
    misfiled: tuple[int, Digest] | None = None
    _cursors: list[sqlite3.Cursor] = field(default_factory=list)

    def links(self) -> Iterator[Link]:
        """Every record, by seq, as the chain check needs it."""
        for row in self._rows(RECORDS_SQL + " ORDER BY seq"):
            yield _link(row)

    def only_in_log(self) -> list[Digest]:
        """The mirror's digests the database has none of the same n of (the first line
        of each n), by n."""
        seen: dict[int, Digest] = {}
        for d, in_db in self.mirror.odd if self.mirror else ():
            if in_db is None:
                seen.setdefault(d.n, d)
        return [seen[n] for n in sorted(seen)]

    def first_conflict(self) -> tuple[Digest, Digest] | None:
        """The first digest (by n) the database and the mirror, or two mirror lines, have
        otherwise: (the one read first, the other)."""
        seen: dict[int, Digest] = {}
        for d, in_db in sorted(self.mirror.odd if self.mirror else (), key=lambda o: o[0].n):
            first = in_db if in_db is not None else seen.setdefault(d.n, d)
            if first != d:
                return first, d
        return None

    def vouched(self) -> Iterator[Vouched]:
        """Every digest, the database's and those only the mirror has, by n; each with
        the hash of the record at its head seq."""
        rows = (self._filed(n, Digest.model_validate_json(b)) for n, b in self._rows(DIGESTS_SQL))
        extra = ((d.n, d) for d in self.only_in_log())
        heads = self._rows("SELECT seq, hash FROM audit ORDER BY seq")
        head = next(heads, None)
        for _, d in heapq.merge(rows, extra, key=lambda nd: nd[0]):
            while head is not None and head[0] < d.head_seq:
                head = next(heads, None)
            if head is not None and head[0] == d.head_seq:
                yield Vouched(d, head[1])
            else:  # none, or passed already (head seqs not rising, as no signed ones do)
                yield Vouched(d, self.record_hash(d.head_seq))

    def _filed(self, n: int, d: Digest) -> tuple[int, Digest]:
        """A digest of the database, by the n of its row (the same as its own, as the
        store writes it; the first that is not is kept in `misfiled`)."""
        if d.n != n and self.misfiled is None:
            self.misfiled = (n, d)
        return n, d

    def record_hash(self, seq: int) -> str | None:
        """The hash of record `seq` (None: there is none), as of the scan."""
        row = self.db.execute("SELECT hash FROM audit WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else str(row[0])

    def head(self) -> tuple[int, str]:
        """The last record's seq and hash, as of the scan ((0, "") for none)."""
        row = self.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        return (0, "") if row is None else (int(row[0]), str(row[1]))

    def _rows(self, sql: str) -> Iterator[tuple[Any, ...]]:
        cursor = self.db.execute(sql)
        self._cursors.append(cursor)
        return iter(cursor)

    def close(self) -> None:
        """Ends the queries left unfinished (a check stops at the first bad record)."""
        for cursor in self._cursors:
            cursor.close()
        self._cursors.clear()


def scan_trail(
    db: sqlite3.Connection,
    digest_log: Path | None,
    committed_after: Callable[[int], dict[int, Digest]],
) -> TrailScan:
    """The scan of `db`, in a read transaction begun and not ended; `committed_after(n)`:
    the digests after n committed by now (read outside that transaction)."""
    (records,) = db.execute("SELECT COUNT(*) FROM audit").fetchone()  # the snapshot
    digests, last = db.execute("SELECT COUNT(*), COALESCE(MAX(n), 0) FROM audit_digest").fetchone()
    mirror = read_mirror(db, digest_log)
    for pause in MIRROR_LAG_S:
        if digest_log is None or mirror is None or mirror.last >= last - 1:
            break
        time.sleep(pause)  # lines of digests committed before the snapshot may be on their way
        mirror = read_mirror(db, digest_log)
    if mirror is not None and mirror.last > last:
        committed = committed_after(last)
        kept = [(d, in_db) for d, in_db in mirror.odd if d.n <= last or committed.get(d.n) != d]
        mirror.lines -= len(mirror.odd) - len(kept)
        mirror.odd = kept
    return TrailScan(db, records, digests, last, mirror)


def read_mirror(db: sqlite3.Connection, digest_log: Path | None) -> Mirror | None:
    """The mirror read against the database's digests (in step with them: lines in the
    order written, each as the database has it, are matched by their text alone). Every
    line must be a digest, and their n must rise (a gap is a line a crash kept from
    being written); the first that is not is kept as the mirror's `problem`. Only a last
    line cut short (no newline: a crash while it was written) is passed over."""
    if digest_log is None:
        return Mirror()
    try:
        log = digest_log.open(encoding="utf-8")
    except FileNotFoundError:
        return None
    mirror = Mirror()
    rows = db.execute(DIGESTS_SQL)
    try:
        with log:
            row = next(rows, None)
            for number, text in enumerate(log, 1):
                line = text.rstrip("\n")
                if row is not None and line == row[1]:  # the database's next digest
                    mirror.lines += 1
                    mirror.saw(number, row[0])
                    mirror.last_as_db = max(mirror.last_as_db, row[0])
                    row = next(rows, None)
                    continue
                try:
                    d = Digest.model_validate_json(line)
                except ValueError:
                    if text.endswith("\n"):  # not the torn last line of a crash
                        mirror.fault(number, "is not a digest")
                    continue
                mirror.lines += 1
                mirror.saw(number, d.n)
                while row is not None and row[0] < d.n:
                    row = next(rows, None)
                if row is not None and row[0] == d.n:
                    body: str | None = row[1]
                    row = next(rows, None)
                else:  # none, or passed already (a line out of order)
                    found = db.execute("SELECT body FROM audit_digest WHERE n = ?", (d.n,))
                    body = next((b for (b,) in found), None)
                in_db = None if body is None else Digest.model_validate_json(body)
                if in_db is not None and in_db == d:  # every field, not its hash alone
                    mirror.last_as_db = max(mirror.last_as_db, d.n)
                else:
                    mirror.odd.append((d, in_db))
    finally:
        rows.close()
    return mirror


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
