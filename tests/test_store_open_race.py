"""Several first opens of a fresh data dir at once: the release and grants sources' first
polls open the store in their threads together, and a dashboard and the lab open the
fault-window file together. Some of them failed "database is locked" (the release pane
then read "rollback rehearsal: unknown", and the demo grants never came)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from backends.fault_store import FaultStore
from backends.local.db import Database

OPENERS = 4
ROUNDS = 40


@pytest.mark.parametrize("open_", [Database, FaultStore], ids=["store", "fault-store"])
def test_first_opens_at_once_all_succeed(tmp_path: Path, open_: Callable[[Path], object]) -> None:
    failures: list[str] = []
    for i in range(ROUNDS):
        path = tmp_path / f"round-{i}" / "db.sqlite3"
        gate = threading.Barrier(OPENERS)

        def open_it(path: Path = path, gate: threading.Barrier = gate) -> None:
            gate.wait()
            try:
                open_(path)
            except Exception as exc:  # counted, and shown by the assert
                failures.append(repr(exc))

        threads = [threading.Thread(target=open_it) for _ in range(OPENERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []
