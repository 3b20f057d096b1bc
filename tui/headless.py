"""`watchfloor snapshot`: what every pane sees, as one JSON document. No Textual here."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from backends.alerts import derive
from backends.contracts import PANES
from backends.models import Snapshot
from backends.wiring import Sources


async def collect(sources: Sources, listen_s: float) -> dict[str, Snapshot | None]:
    """The latest snapshot of every pane after listening `listen_s` seconds (at least one
    update each, unless a source gives none within `listen_s + 10` seconds)."""
    latest: dict[str, Snapshot | None] = dict.fromkeys(PANES)
    first = {cap: asyncio.Event() for cap in PANES}

    async def listen(cap: str) -> None:
        async for snap in sources[cap].watch():
            latest[cap] = snap
            first[cap].set()

    tasks = [asyncio.create_task(listen(cap), name=f"source:{cap}") for cap in PANES]
    try:
        await asyncio.sleep(listen_s)
        waits = [asyncio.create_task(e.wait()) for e in first.values()]
        _, pending = await asyncio.wait(waits, timeout=listen_s + 10)
        for p in pending:
            p.cancel()
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await sources.aclose()
    return latest


def document(sources: Sources, latest: dict[str, Snapshot | None]) -> dict[str, Any]:
    now = sources.ctx.clock.now()
    doc: dict[str, Any] = {
        "observed_at": now.isoformat(),
        "environment": sources.environment,
        "local_simulation": sources.local_simulation,
    }
    for cap in PANES:
        snap = latest[cap]
        doc[cap] = (
            snap.model_dump(mode="json")
            if snap is not None
            else {"health": {"state": "no-data", "last_error": "no update within the time given"}}
        )
    doc["alerts"] = [a.model_dump(mode="json") for a in derive(latest, now)]
    return doc
