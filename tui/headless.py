"""`watchfloor snapshot`: what every pane sees, as one JSON document. No Textual here."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable
from typing import Any

from backends.alerts import derive
from backends.contracts import PANES
from backends.faults_core import snapshot_json
from backends.models import FaultsSnapshot, Snapshot
from backends.polling import with_error
from backends.wiring import SNAPSHOT_TYPES, Sources

MAX_BACKOFF_S = 30.0  # as the dashboard's: a failed source is asked again after 1, 2, 4 s…


async def collect(
    sources: Sources, listen_s: float, progress: Callable[[str], None] | None = None
) -> dict[str, Snapshot | None]:
    """The latest snapshot of every pane after listening `listen_s` seconds (at least one
    update each, unless a source gives none within `listen_s + 10` seconds). `progress`
    is told, once a second, how long is left and which panes have no update yet, and ""
    when done (the command writes it to a terminal's stderr). A source that fails gives
    its error, as the dashboard shows it (and is asked again, as the dashboard does): a
    plugin that breaks the contract too (backends/plugin_guard.py)."""
    latest: dict[str, Snapshot | None] = dict.fromkeys(PANES)
    first = {cap: asyncio.Event() for cap in PANES}

    async def listen(cap: str) -> None:
        backoff = 1.0
        while True:
            try:
                async for snap in sources[cap].watch():
                    latest[cap] = snap
                    first[cap].set()
                    backoff = 1.0
            except Exception as exc:
                latest[cap] = with_error(
                    SNAPSHOT_TYPES[cap],
                    latest[cap],
                    exc,
                    source=getattr(sources[cap], "name", ""),
                    interval_s=sources.ctx.interval_s,
                    clock=sources.ctx.clock,
                )
                first[cap].set()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    def waiting_for() -> str:
        missing = [cap for cap, e in first.items() if not e.is_set()]
        return f" · no update yet: {', '.join(missing)}" if missing else ""

    async def tell(until: float, what: str) -> None:
        if progress is None:
            return
        loop = asyncio.get_running_loop()
        while (left := until - loop.time()) > 0:
            progress(f"{what} {math.ceil(left)}s…{waiting_for()}")
            await asyncio.sleep(min(1.0, left))

    tasks = [asyncio.create_task(listen(cap), name=f"source:{cap}") for cap in PANES]
    loop = asyncio.get_running_loop()
    try:
        teller = asyncio.create_task(tell(loop.time() + listen_s, "listening"))
        await asyncio.sleep(listen_s)
        teller.cancel()
        waits = [asyncio.create_task(e.wait()) for e in first.values()]
        if not all(e.is_set() for e in first.values()):
            teller = asyncio.create_task(tell(loop.time() + listen_s + 10, "waiting up to"))
        _, pending = await asyncio.wait(waits, timeout=listen_s + 10)
        teller.cancel()
        for p in pending:
            p.cancel()
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await sources.aclose()
        if progress is not None:
            progress("")
    return latest


def document(sources: Sources, latest: dict[str, Snapshot | None]) -> dict[str, Any]:
    now = sources.ctx.clock.now()
    doc: dict[str, Any] = {
        "observed_at": now.isoformat().replace("+00:00", "Z"),  # as pydantic writes UTC
        "environment": sources.environment,
        "local_simulation": sources.local_simulation,
    }
    for cap in PANES:
        snap = latest[cap]
        if isinstance(snap, FaultsSnapshot):  # each window's state, as `faults list --json`
            doc[cap] = snapshot_json(snap, now)
        elif snap is not None:
            doc[cap] = snap.model_dump(mode="json")
        else:
            doc[cap] = {
                "health": {"state": "no-data", "last_error": "no update within the time given"}
            }
    doc["alerts"] = [a.model_dump(mode="json") for a in derive(latest, now)]
    return doc
