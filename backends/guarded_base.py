"""What every core wrapper around a plugin's source shares (backends/guarded.py).

Reads go to the plugin's source unchanged: its `watch()` stream, an on-demand `snapshot()`
if it has one, and any other attribute (`ends_on_time`, `reconcile`, `limits`...). The
wrapper keeps the last snapshot it passed on, so an action can name what it acts on (the
grant's subject:role, the window's namespace/host, the release a rehearsal rolls back) in
its audit record, and refuse what the source says is going (a rehearsal still running).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from backends.registry import BackendContext


class Guarded:
    """A plugin's source, its actions run by the core through the audited path."""

    def __init__(self, inner: Any, ctx: BackendContext) -> None:
        self.inner = inner
        self.ctx = ctx
        self.name = str(getattr(inner, "name", "") or "?")
        self.last: Any = None  # the latest snapshot the source gave

    def __getattr__(self, attr: str) -> Any:
        if attr == "inner":  # not set yet (a copy being made): no recursion
            raise AttributeError(attr)
        value = getattr(self.inner, attr)
        if attr == "snapshot" and callable(value):
            return self._tracked(value)
        return value

    def _tracked(self, snapshot: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
        async def tracked() -> Any:
            snap = await snapshot()
            self.last = snap
            return snap

        return tracked

    async def watch(self) -> AsyncIterator[Any]:
        stream = self.inner.watch()
        try:
            async for snap in stream:
                self.last = snap
                yield snap
        finally:
            close = getattr(stream, "aclose", None)
            if close is not None:
                await close()

    async def aclose(self) -> None:
        await self.inner.aclose()

    def not_a(self, what: str, value: object, expected: type) -> TypeError:
        """What to raise (inside `apply`: it may have taken effect) when the plugin's action
        returned something other than the contract says: told, not a crash later."""
        return TypeError(
            f"the {self.name} backend's {what} returned {type(value).__name__},"
            f" not a {expected.__name__}"
        )
