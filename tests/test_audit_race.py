"""`audit verify` while another process appends: it read the records, then the digests,
in two reads, and a digest committed in between looked like a cut-off tail ("TAMPERED:
record 1085: tail cut off: digest 1085 vouches for 1085 records, the trail ends at
1084", in 23 of 48 runs next to a looping `faults halt`). Now both come from one
snapshot, and a mirror line newer than it is not taken for tampering."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from backends.clock import FrozenClock
from backends.local.audit_table import AuditTable
from backends.models import AuditVerification
from tests.helpers import local_sources
from tests.test_audit_tamper import eight_records


def other_process(data_dir: Path) -> AuditTable:
    """The trail as another process on the data dir has it: its own connection."""
    key = serialization.load_pem_private_key(
        (data_dir / "audit-signing.key").read_bytes(), password=None
    )
    return AuditTable(
        data_dir / "watchfloor.sqlite3",
        signer=lambda *_: key,  # type: ignore[arg-type]
        digest_log=data_dir / "audit-digests.jsonl",
    )


def append_one(table: AuditTable) -> None:
    table.append_audit(
        {
            "id": uuid.uuid4().hex,
            "at": datetime.now(UTC),
            "actor": "erin",
            "action": "fault-halt-all",
            "target": "*",
            "phase": "request",
            "details": {"reason": "race test halt all"},
        }
    )


def record_count(data_dir: Path) -> int:
    table = other_process(data_dir)
    try:
        return len(table.audit_records())
    finally:
        table.close()


async def test_a_digest_committed_while_verify_reads_is_not_a_cut_tail(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """Another process appends exactly while verify is between reading the records and
    reading the digests (when verify's connection starts its first digest query)."""
    await eight_records(frozen_clock)
    src = local_sources(frozen_clock)
    store = src["audit"].rt.store
    other = other_process(data_dir)
    fired: list[str] = []

    def between(sql: str) -> None:
        if "audit_digest" in sql and not fired:
            fired.append(sql)
            append_one(other)  # committed, and mirrored, before verify's query runs

    store._scan_db().set_trace_callback(between)  # verify's connection
    try:
        result = await src["audit"].verify()
    finally:
        store._scan_db().set_trace_callback(None)
        other.close()
    assert fired and record_count(data_dir) == 9  # the other process did append
    assert result.ok, result
    assert result.records in (8, 9)
    again = await src["audit"].verify()
    assert again.ok and again.records == 9 and again.digests == 9, again
    await src.aclose()


async def test_verify_in_a_loop_next_to_a_writer_never_cries_tampering(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    stop = threading.Event()
    wrote: list[int] = []

    def writer() -> None:
        table = other_process(data_dir)
        try:
            while not stop.is_set():
                append_one(table)
                wrote.append(1)
                stop.wait(0.002)
        finally:
            table.close()

    thread = threading.Thread(target=writer, name="audit-writer")
    thread.start()
    src = local_sources(frozen_clock)
    results: list[AuditVerification] = []
    deadline = time.monotonic() + 60
    try:  # 60 checks at least, and on until the writer did write meanwhile (a check is
        # quick, an append waits for the disk)
        while len(results) < 60 or (len(wrote) <= 20 and time.monotonic() < deadline):
            results.append(await src["audit"].verify())
    finally:
        stop.set()
        thread.join(10)
    bad = [r for r in results if not r.ok]
    assert len(wrote) > 20  # it did write meanwhile
    assert not bad, f"{len(bad)} of {len(results)}: {bad[0].problem}"
    final = await src["audit"].verify()
    assert final.ok and final.records == 8 + len(wrote), final
    await src.aclose()


def mirror_lines_later(data_dir: Path, lines: int, delay_s: float) -> threading.Timer:
    """The mirror lines of the last digests in the database, written `delay_s` from now
    (as by processes between their commits and their mirror writes)."""
    db = AuditTable(data_dir / "watchfloor.sqlite3")
    try:
        rows = db._db.execute(
            "SELECT body FROM audit_digest ORDER BY n DESC LIMIT ?", (lines,)
        ).fetchall()
    finally:
        db.close()

    def write() -> None:
        with (data_dir / "audit-digests.jsonl").open("a") as log:
            log.writelines(body + "\n" for (body,) in reversed(rows))

    timer = threading.Timer(delay_s, write)
    timer.start()
    return timer


async def test_mirror_lines_on_their_way_are_not_a_cut_short_mirror(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """Two digests committed before verify's snapshot (by two processes) whose mirror
    lines are not written yet when verify reads the mirror: verify reads it again, and
    finds them."""
    await eight_records(frozen_clock)
    writer = other_process(data_dir)
    writer.digest_log = None  # commits digests 9 and 10, writes no mirror line ...
    append_one(writer)
    append_one(writer)
    writer.close()
    timer = mirror_lines_later(data_dir, 2, 0.1)  # ... the lines come a moment later
    src = local_sources(frozen_clock)
    try:
        result = await src["audit"].verify()
    finally:
        timer.join(10)
        await src.aclose()
    assert result.ok and result.records == 10 and result.digests == 10, result
