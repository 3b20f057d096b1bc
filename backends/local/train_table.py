"""The simulated release train in the local store, so every process on a data dir (the
dashboard, `watchfloor snapshot`, a restarted dashboard) shows the same one: its origin,
set by the first process that asks, and the manual rollback rehearsals, numbered here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from backends.contracts import ActionRefused
from backends.local.db import Database, db_time, from_db_time
from backends.local.sim.release import MAX_MANUAL, ManualRehearsal

ORIGIN_KEY = "train_origin"


class TrainTable(Database):
    def train_origin(self, default: datetime) -> datetime:
        """The train's origin on this data dir: `default` if nobody set it before."""
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                (ORIGIN_KEY, db_time(default)),
            )
            (value,) = db.execute("SELECT value FROM meta WHERE key = ?", (ORIGIN_KEY,)).fetchone()
        return from_db_time(value)

    def manual_rehearsals(self, limit: int = MAX_MANUAL) -> tuple[ManualRehearsal, ...]:
        """The latest manual rehearsals, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT n, started_at, ends_at, actor, reason, release FROM rehearsals"
                " ORDER BY n DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return tuple(
            ManualRehearsal(r[0], from_db_time(r[1]), from_db_time(r[2]), r[3], r[4], r[5])
            for r in reversed(rows)
        )

    def add_rehearsal(self, make: Callable[[int], ManualRehearsal]) -> ManualRehearsal:
        """Record the next manual rehearsal, `make(n)`; refused while the last one (maybe
        another process's) has not finished when this one would start."""
        with self._tx() as db:
            last = db.execute(
                "SELECT n, ends_at FROM rehearsals ORDER BY n DESC LIMIT 1"
            ).fetchone()
            run = make(last[0] + 1 if last else 1)
            if last and from_db_time(last[1]) > run.started_at:
                raise ActionRefused(
                    f"a rollback rehearsal is already running (run rehearsal-manual-{last[0]});"
                    " try again when it has finished"
                )
            db.execute(
                "INSERT INTO rehearsals (n, started_at, ends_at, actor, reason, release)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    run.n,
                    db_time(run.started_at),
                    db_time(run.ends_at),
                    run.actor,
                    run.reason,
                    run.release,
                ),
            )
        return run
