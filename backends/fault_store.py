"""Fault windows kept on disk (SQLite, WAL), so windows outlive the process that opened
them and `watchfloor faults reconcile` in another process sees the same windows.

One small file per backend under the data dir (e.g. faults-local.sqlite3), apart from the
main store. Synchronous: call it through asyncio.to_thread.

Two dashboards and the command line write the same file: a window that any of them may
end (or start) is changed with `change`, a compare-and-set, so that each is ended by one
of them, and the others see who did.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backends.data_dir import make_data_dir
from backends.faults_core import ended_at
from backends.models import FaultWindow
from backends.sqlite_files import naming, opening

SCHEMA = """
CREATE TABLE IF NOT EXISTS fault_windows (
    id TEXT PRIMARY KEY,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fault_windows_ends ON fault_windows (ends_at);
"""
KEEP_ENDED = timedelta(hours=1)  # ended windows stay visible this long after their end


def store_path(data_dir: Path, backend: str) -> Path:
    """A backend's fault-window file in the data dir (faults-local.sqlite3 for `local`)."""
    return data_dir / f"faults-{backend}.sqlite3"


class FaultStore:
    def __init__(self, path: Path) -> None:
        make_data_dir(path.parent)
        self.path = path
        self._lock = threading.Lock()
        with naming(path):
            self._db = sqlite3.connect(path, check_same_thread=False, timeout=10)
            with opening(path):
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.executescript(SCHEMA)

    def put(self, w: FaultWindow) -> None:
        self.put_many([w])

    def put_many(self, windows: list[FaultWindow]) -> None:
        """Insert or update, all in one transaction."""
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO fault_windows (id, starts_at, ends_at, body) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET starts_at = excluded.starts_at,"
                " ends_at = excluded.ends_at, body = excluded.body",
                [(w.id, _utc(w.starts_at), _utc(w.ends_at), w.model_dump_json()) for w in windows],
            )

    def change(
        self,
        ids: Iterable[str],
        new: Callable[[FaultWindow], FaultWindow | None],
        absent: Mapping[str, FaultWindow] | None = None,
    ) -> tuple[list[FaultWindow], list[FaultWindow]]:
        """Each window as `new` makes it from its version stored now, or as it is where
        `new` says None (another process has ended it first, say): all in one write
        transaction, begun before anything is read (BEGIN IMMEDIATE: another process's
        waits for it), each written only if it is still what was read. Returns the windows
        changed, as written, and those left, as stored. An id not stored is in neither,
        unless `absent` has it (a window known from elsewhere: a VirtualService another
        data dir put in): then `new` makes it from that, and it is inserted, only if it is
        still not stored."""
        changed: list[FaultWindow] = []
        left: list[FaultWindow] = []
        absent = absent or {}
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for wid in ids:
                    row = self._db.execute(
                        "SELECT body FROM fault_windows WHERE id = ?", (wid,)
                    ).fetchone()
                    if row is None:
                        if wid in absent and (made := new(absent[wid])) is not None:
                            self._insert(made)
                            changed.append(made)
                        continue
                    w = FaultWindow.model_validate_json(row[0])
                    after = new(w)
                    if after is None or not self._swap(row[0], after):
                        left.append(w)
                    else:
                        changed.append(after)
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise
        return changed, left

    def _insert(self, w: FaultWindow) -> None:
        """`w` added, inside `change`'s transaction (which read it was not stored)."""
        self._db.execute(
            "INSERT INTO fault_windows (id, starts_at, ends_at, body) VALUES (?, ?, ?, ?)",
            (w.id, _utc(w.starts_at), _utc(w.ends_at), w.model_dump_json()),
        )

    def _swap(self, before: str, w: FaultWindow) -> bool:
        """`w` written over its stored version if that is still `before` (compare-and-set)."""
        cur = self._db.execute(
            "UPDATE fault_windows SET starts_at = ?, ends_at = ?, body = ?"
            " WHERE id = ? AND body = ?",
            (_utc(w.starts_at), _utc(w.ends_at), w.model_dump_json(), w.id, before),
        )
        return cur.rowcount == 1

    def get(self, window_id: str) -> FaultWindow | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM fault_windows WHERE id = ?", (window_id,)
            ).fetchone()
        return FaultWindow.model_validate_json(row[0]) if row else None

    def recent(self, now: datetime) -> list[FaultWindow]:
        """Every window not ended more than KEEP_ENDED ago, oldest start first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM fault_windows WHERE ends_at >= ? ORDER BY starts_at, id",
                (_utc(now - KEEP_ENDED),),
            ).fetchall()
        out = []
        for (body,) in rows:
            w = FaultWindow.model_validate_json(body)
            end = ended_at(w)
            if now - end <= KEEP_ENDED:
                out.append(w)
        return out

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _utc(t: datetime) -> str:
    """Sortable text: every stored time in UTC with the same format."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
