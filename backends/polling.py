"""The one way a polling adapter turns a fetch function into a `watch()` stream.

The sleep comes *after* each fetch completes, so a slow backend delays the next request
instead of stacking requests up. A failing fetch never ends the stream: it yields the
last good data again with health set to error (or an empty snapshot if there never was).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from backends.clock import Clock
from backends.error_text import describe_error
from backends.models import HealthState, Snapshot, SourceHealth

__all__ = ["describe_error", "poll", "with_error"]

S = TypeVar("S", bound=Snapshot)


def with_error(
    cls: type[S],
    last: S | None,
    exc: BaseException,
    *,
    source: str,
    interval_s: float,
    clock: Clock,
    where: str = "",
) -> S:
    """The snapshot to show when a fetch failed: last data kept, health says why (naming
    `where`, the backend's host, if the error does not)."""
    last_ok = last.health.last_ok_at if last is not None else None
    health = SourceHealth(
        state=HealthState.ERROR,
        last_error=describe_error(exc, where),
        last_ok_at=last_ok,
        interval_s=interval_s,
    )
    if last is None:
        return cls(observed_at=clock.now(), health=health, source=source)
    return last.model_copy(update={"health": health})


async def poll(
    cls: type[S],
    fetch: Callable[[], Awaitable[S]],
    *,
    source: str,
    interval_s: float,
    clock: Clock,
    where: str = "",
) -> AsyncIterator[S]:
    last: S | None = None
    while True:
        try:
            snap = await fetch()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a source's failure is data for the pane, never a crash
            snap = with_error(
                cls, last, exc, source=source, interval_s=interval_s, clock=clock, where=where
            )
        else:
            last = snap
        yield snap
        await asyncio.sleep(interval_s)
