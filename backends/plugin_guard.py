"""A plugin's `watch()` stream held to the contract before the core uses what it yields.

A third-party adapter that yields a dict, the wrong snapshot type, a snapshot built with
`model_construct` and a naive time, whose `watch` is a plain generator or raises before
it returns a stream, breaks its own pane only: each becomes a `PluginBroke` naming the
backend, its entry point and what is wrong, which the dashboard (and `snapshot --json`)
shows as that pane's error, like any source's failure. What it yields is validated again
(a snapshot built without validation would crash the core later, far from its cause).
backends/wiring.py puts every third-party source of a pane in a `Checked` (under the
wrapper that audits its actions, so that one only ever sees checked snapshots); the
built-in adapters are not wrapped, and this module is not even imported for them.

A step of its stream that holds the event loop (a `time.sleep`, a blocking client) froze
every key while the pane read "ok": each synchronous step is timed, and one over
`BLOCK_S` puts a warning on the pane's health (an alert too) for `BLOCK_HOLD_S`, and in
the log.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from typing import Any

from pydantic import ValidationError

from backends.error_text import BAD_DATA, describe_error
from backends.models import Snapshot
from backends.registry import entry_point

BLOCK_S = 0.5  # a step of watch() holding the event loop this long is reported
BLOCK_HOLD_S = 60.0  # its warning stays this long after the last such step
MAX_PROBLEMS = 3  # of a ValidationError's errors, named in the one line

log = logging.getLogger("watchfloor.plugins")

_WORDS = {
    "timezone_aware": "needs a timezone",
    "missing": "missing",
    "extra_forbidden": "not a field",
}


class PluginBroke(Exception):
    """A plugin broke the contract; the message says which plugin and how."""

    SAYS_WHAT = True  # error_text: the message is the cause, no class name in front


def bad_data(exc: ValidationError) -> str:
    """'ReleaseSnapshot observed_at: needs a timezone': the model, each field and what is
    wrong with it, in words."""
    problems = []
    for e in exc.errors()[:MAX_PROBLEMS]:
        field = ".".join(str(p) for p in e["loc"]) or "(the whole value)"
        problems.append(f"{field}: {_WORDS.get(e['type'], e['msg'])}")
    more = len(exc.errors()) - MAX_PROBLEMS
    tail = f"; and {more} more" if more > 0 else ""
    return f"{exc.title} {'; '.join(problems)}{tail}"


class _Timed:
    """Await `awaitable`, timing each synchronous step of it (from a resume to its next
    suspension): `longest` is the longest, in the timer's seconds."""

    def __init__(self, awaitable: Awaitable[Any], timer: Callable[[], float]) -> None:
        self._awaitable = awaitable
        self._timer = timer
        self.longest = 0.0

    def _took(self, start: float) -> None:
        self.longest = max(self.longest, self._timer() - start)

    def __await__(self) -> Generator[Any, Any, Any]:
        it = self._awaitable.__await__()
        value: Any = None
        thrown: BaseException | None = None
        while True:
            start = self._timer()
            try:
                signal = it.send(value) if thrown is None else it.throw(thrown)
            except StopIteration as stop:
                self._took(start)
                return stop.value
            except BaseException:
                self._took(start)
                raise
            self._took(start)
            try:
                value, thrown = (yield signal), None
            except BaseException as exc:  # cancelled: passed on into the plugin's code
                value, thrown = None, exc


class Guard:
    """One source's stream, checked: `stream()` subscribes (again after a failure),
    `check` takes a snapshot the source gave otherwise (its on-demand `snapshot()`).
    `expected`: the pane's snapshot type; `backend`: the name the config chose."""

    def __init__(
        self,
        source: Any,
        expected: type[Snapshot],
        backend: str,
        *,
        timer: Callable[[], float] | None = None,
    ) -> None:
        self.source = source
        self.expected = expected
        self.backend = backend
        self.entry_point = entry_point(backend)
        self._timer = timer or time.perf_counter
        self._blocked_at: float | None = None  # the timer's time of the last block
        self._warning = ""

    @property
    def who(self) -> str:
        """The plugin, said after what is wrong: plugin 'statuspage', my_pkg.wf:plugin."""
        where = f", {self.entry_point}" if self.entry_point else ""
        return f"plugin {self.backend!r}{where}"

    @property
    def named(self) -> str:
        """The plugin, as a log line starts: plugin 'statuspage' (my_pkg.wf:plugin)."""
        where = f" ({self.entry_point})" if self.entry_point else ""
        return f"plugin {self.backend!r}{where}"

    def _broke(self, what: str) -> PluginBroke:
        return PluginBroke(f"{what} ({self.who})")

    async def stream(self) -> AsyncGenerator[Snapshot, None]:
        started = self._timer()
        try:
            inner = self.source.watch()
        except Exception as exc:
            log.error("%s: watch() raised before it returned a stream", self.named, exc_info=exc)
            raise self._broke(f"watch() raised {describe_error(exc)}") from exc
        finally:
            self._check_block(self._timer() - started)
        if not hasattr(inner, "__anext__"):
            kind = "a generator" if inspect.isgenerator(inner) else type(inner).__name__
            log.error("%s: watch() returned %s, not an async iterator", self.named, kind)
            raise self._broke(
                f"watch() must be an async generator (async def with yield); it returned {kind}"
            )
        try:
            while True:
                timed = _Timed(inner.__anext__(), self._timer)
                try:
                    got = await timed
                except StopAsyncIteration:
                    return
                except ValidationError as exc:
                    raise self._bad(exc) from exc
                finally:
                    self._check_block(timed.longest)
                yield self._with_warning(self.check(got))
                await asyncio.sleep(0)  # one that never awaits must not starve the rest
        finally:
            close = getattr(inner, "aclose", None)
            if close is not None:
                try:
                    await close()
                except Exception as exc:  # closing is best effort
                    log.debug("%s: aclose() of its stream failed", self.named, exc_info=exc)

    def check(self, got: object) -> Snapshot:
        """`got` if it is a valid snapshot of the pane's type; else PluginBroke."""
        if not isinstance(got, self.expected):
            what = f"{BAD_DATA}: yielded {type(got).__name__}, expected {self.expected.__name__}"
            log.error("%s: %s", self.named, what)  # not what it holds: it may be a secret
            raise self._broke(what)
        try:  # built with model_construct, or changed since: what the core relies on
            return type(got).model_validate(got.model_dump(warnings=False))
        except ValidationError as exc:
            raise self._bad(exc) from exc
        except Exception as exc:  # not even serialisable
            log.error("%s: %s", self.named, BAD_DATA, exc_info=exc)
            raise self._broke(f"{BAD_DATA}: {describe_error(exc)}") from exc

    def _bad(self, exc: ValidationError) -> PluginBroke:
        what = f"{BAD_DATA}: {bad_data(exc)}"
        log.error("%s: %s", self.named, what, exc_info=exc)
        return self._broke(what)

    def _check_block(self, held_s: float) -> None:
        now = self._timer()
        if held_s >= BLOCK_S:
            self._blocked_at = now
            warning = f"{self.backend} blocked the dashboard for {held_s:.1f}s: "
            self._warning = warning + "watch() must not block"
            log.warning(
                "%s: one step of watch() held the event loop for %.1fs (every pane and "
                "key waited); await, or run blocking calls with asyncio.to_thread",
                self.named,
                held_s,
            )
        elif self._blocked_at is not None and now - self._blocked_at > BLOCK_HOLD_S:
            self._blocked_at, self._warning = None, ""

    def _with_warning(self, snap: Snapshot) -> Snapshot:
        if not self._warning or snap.health.warning == self._warning:
            return snap
        health = snap.health.model_copy(update={"warning": self._warning})
        return snap.model_copy(update={"health": health})


class Checked:
    """A third-party plugin's source of a pane as the core uses it: its `watch()` stream
    and on-demand `snapshot()` checked (`Guard`), anything else its own."""

    def __init__(self, inner: Any, expected: type[Snapshot], backend: str) -> None:
        self.inner = inner
        self.guard = Guard(inner, expected, backend)
        self.name = str(getattr(inner, "name", "") or backend)

    def __getattr__(self, attr: str) -> Any:
        if attr in ("inner", "guard"):  # not set yet (a copy being made): no recursion
            raise AttributeError(attr)
        value = getattr(self.inner, attr)
        if attr == "snapshot" and callable(value):
            return self._checked(value)
        return value

    def _checked(self, snapshot: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
        async def checked() -> Snapshot:
            return self.guard.check(await snapshot())

        return checked

    def watch(self) -> AsyncGenerator[Snapshot, None]:
        return self.guard.stream()

    async def aclose(self) -> None:
        await self.inner.aclose()
