"""The fault windows `watchfloor lab` follows: its data dir's local store, read-only.

The dashboard's local faults backend (`f`, `e`, HALT ALL, guards) and `watchfloor faults`
keep their windows in faults-local.sqlite3 in the data dir. The lab reads that file every
second, as the local faults backend does, and gives its simulator the windows started
there (`applied`), exactly what the dashboard's own simulation feels: each one while it is
ACTIVE, so it comes out on time by itself, and out at the next read once it was ended
early. The lab never writes a window: starting and ending them stays with the dashboard
and `watchfloor faults reconcile`.

Until the file exists (nothing scheduled on this data dir yet) there are no windows. A
store that cannot be read applies none (a window HALT ALL ended must not run on because
the lab cannot see that it ended), says so once through `warn`, and is read again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from backends.fault_store import FaultStore, store_path
from backends.models import FaultWindow

__all__ = ["StoreFaults"]

log = logging.getLogger("watchfloor.lab")


class StoreFaults:
    """A FaultFeed (backends.lab) over the local faults backend's store in `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        interval_s: float = 1.0,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.path = store_path(data_dir, "local")
        self.interval_s = interval_s
        self.warn = warn or log.warning
        self.error: str | None = None  # why the last read failed, while it fails
        self._store: FaultStore | None = None

    def describe(self) -> str:
        return f"fault windows of data dir {self.data_dir} ({self.path.name})"

    def read(self, now: datetime) -> list[FaultWindow]:
        """The windows started in the store (synchronous: call it in a thread)."""
        if self._store is None:
            if not self.path.exists():  # the lab never creates it: nothing scheduled yet
                return []
            self._store = FaultStore(self.path)
        return [w for w in self._store.recent(now) if w.applied]

    async def windows(self, now: datetime) -> list[FaultWindow]:
        try:
            found = await asyncio.to_thread(self.read, now)
        except Exception as exc:  # any failure: apply nothing rather than stale windows
            why = f"cannot read {self.path}: {exc}; no fault windows applied until it can"
            if why != self.error:
                self.warn(why)
            self.error = why
            self.close()  # opened afresh at the next read
            return []
        if self.error is not None:
            self.error = None
            self.warn(f"reading {self.path} again; its fault windows are applied")
        return found

    def close(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            store.close()
