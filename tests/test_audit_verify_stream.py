"""`verify` reads the trail a row at a time (and the digest mirror a line at a time):
checking a long trail takes no more memory than checking a short one. It read the whole
trail, its digests and the mirror into memory first: about 4 KB a record (14 MB at 3,500
records, hundreds of MB at 100,000), in the dashboard's start-up check and in
`watchfloor audit verify` alike. Closing the store stops a check under way at its next
row."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
import tracemalloc
import uuid
from datetime import timedelta
from typing import Any
from unittest import mock

import backends.local.audit_scan
from backends.clock import FrozenClock
from backends.models import AuditVerification
from tests.helpers import local_sources

SHORT, LONG = 200, 2000
ROOM = 256 * 1024  # what the long trail may take more than the short one, in bytes


def append(store: Any, clock: FrozenClock, n: int) -> None:
    """`n` records, each with its signed digest and its mirror line (fsync skipped: the
    writing is not what is tested)."""
    with mock.patch.object(os, "fsync", lambda fd: None):
        for i in range(n):
            store.append_audit(
                {
                    "id": uuid.uuid4().hex,
                    "at": clock.now() + timedelta(seconds=i),
                    "actor": "alice@example.com",
                    "action": "grant",
                    "target": f"bob@example.com:role-{i % 17}",
                    "phase": "request",
                    "outcome": "",
                    "details": {"reason": f"INC-{i}: gateway p99.9", "grant_id": f"g{i:08d}"},
                }
            )


async def peak(audit: Any) -> tuple[AuditVerification, int]:
    """verify's result, and the most memory it held at once (in bytes)."""
    tracemalloc.start()
    try:
        result: AuditVerification = await audit.verify()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_a_long_trail_is_checked_in_the_memory_of_a_short_one(
    frozen_clock: FrozenClock,
) -> None:
    src = local_sources(frozen_clock)
    audit = src["audit"]
    store = audit.rt.store
    store._db.execute("PRAGMA synchronous=OFF")
    try:
        append(store, frozen_clock, SHORT)
        assert (await audit.verify()).ok  # the modules a check loads are loaded by now
        short, short_peak = await peak(audit)
        append(store, frozen_clock, LONG - SHORT)
        long, long_peak = await peak(audit)
    finally:
        await src.aclose()
    assert short.ok and short.records == SHORT and short.digests == SHORT, short
    assert long.ok and long.records == LONG and long.digests == LONG, long
    assert long_peak < short_peak + ROOM, (short_peak, long_peak)


def test_closing_the_store_stops_a_check_under_way(frozen_clock: FrozenClock) -> None:
    """A check of a long trail at quit (or at a profile switch) held the store's close up
    till it was done, and the quit with it: here the 10th record takes 0.3 s to hash, the
    close comes meanwhile, and the check stops at the next record."""
    src = local_sources(frozen_clock)
    store = src["audit"].rt.store
    append(store, frozen_clock, 50)
    link = backends.local.audit_scan._link
    hashed: list[int] = []
    tenth = threading.Event()

    def slow_link(row: tuple[Any, ...]) -> Any:
        hashed.append(row[0])
        if len(hashed) == 10:
            tenth.set()
            time.sleep(0.3)
        return link(row)

    outcome: list[BaseException | AuditVerification] = []

    def check() -> None:
        try:
            outcome.append(asyncio.run(src["audit"].verify()))
        except Exception as exc:
            outcome.append(exc)

    with mock.patch.object(backends.local.audit_scan, "_link", slow_link):
        thread = threading.Thread(target=check, name="audit-check")
        thread.start()
        assert tenth.wait(10)
        store.close()
        thread.join(10)
    assert isinstance(outcome[0], sqlite3.OperationalError), outcome
    assert len(hashed) < 50
    asyncio.run(src.aclose())
