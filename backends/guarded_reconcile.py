"""A plugin's `reconcile` (backends/contracts.FaultReconciler) audited as the built-ins'
is: each window it ends gets a `fault-reconcile-end` action, each it starts a
`fault-start` (request and outcome records, by the reconciler, `watchfloor-reconcile`,
`run_by` who ran it), unless the plugin lists "faults" in `audits_itself`.

The plugin's reconcile is one call that may change many windows and says what it did only
in words. So its windows are read first (the source's `snapshot()`, else the first
snapshot of a fresh `watch()`): a window due to end (past its end, its end not recorded;
a guard tripped on `latency`) gets its request record before the call, but taking faults
out never waits on the trail (backends/fault_policy.py); a window due to start gets its
request first and fails closed: if one cannot be written, the round runs with
`start=False`. When something was due, or the call said it changed something, the windows
are read again: each request's outcome says what happened to its window, and a change no
request foresaw is recorded after it was made (request and outcome, `recorded` says so).
A window's request is written once per wrapper: a plugin that leaves a window as it was
would otherwise add two records every round (if it makes the change later, that is
recorded after it was made).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backends.actions import APPLIED, failed_outcome
from backends.contracts import ActionRefused
from backends.error_text import describe_error
from backends.faults_core import NEVER_STARTED, guard_tripped
from backends.models import FaultsSnapshot, FaultWindow, HealthState, LatencySnapshot, WindowState
from backends.registry import BackendContext

RECONCILER = "watchfloor-reconcile"  # the actor of the records, as the built-ins'
END, START = "fault-reconcile-end", "fault-start"
READ_S = 10.0  # reading the windows, before and after: slower than this, not read
AFTER = "after it was made"  # `recorded`: a change no request record foresaw

log = logging.getLogger("watchfloor.plugins")


@dataclass
class Change:
    """A change to one window: its action, why (an end's reason), its request's id."""

    action: str
    window: FaultWindow
    why: str = ""
    record_id: str = ""  # "": its request record could not be written
    unaudited: str = ""  # why not

    @property
    def key(self) -> tuple[str, str]:
        return (self.action, self.window.id)

    @property
    def target(self) -> str:
        return f"{self.window.spec.namespace}/{self.window.spec.target_host}"


def due(
    snap: FaultsSnapshot, latency: LatencySnapshot | None, start: bool, now: datetime
) -> Iterator[Change]:
    """The changes a reconcile round should make, as the local reconciler decides them."""
    for w in snap.windows:
        state = w.state(now)
        if state is WindowState.ENDED and not w.end_reason:
            yield Change(END, w, "ended on time" if w.applied else NEVER_STARTED)
        elif state is WindowState.ACTIVE and (tripped := guard_tripped(w, latency) or ""):
            yield Change(END, w, tripped if w.applied else f"not started, {tripped}")
        elif state is WindowState.ACTIVE and not w.applied and start:
            yield Change(START, w)


def ended(b: FaultWindow, a: FaultWindow | None, now: datetime) -> bool:
    """Whether `b`, as read before, had ended by the read after (`a`; None: gone)."""
    if a is None:
        return True
    if a.end_reason and a.end_reason != b.end_reason:
        return True
    if a.ended_early_at is not None and b.ended_early_at is None:
        return True
    return b.applied and not a.applied and a.state(now) is WindowState.ENDED


def started(b: FaultWindow, a: FaultWindow | None) -> bool:
    return a is not None and a.applied and not b.applied


def unwritten(exc: BaseException | None) -> str:
    """Why a change went unaudited, as the built-ins' UnauditedRemoval says it."""
    if isinstance(exc, ActionRefused):  # no audit sink
        return str(exc)
    why = f" ({describe_error(exc)})" if exc is not None else ""
    return f"the audit record could not be written{why}"


def made(c: Change, a: FaultWindow | None, now: datetime) -> bool:
    """Whether the change was made: `a`, its window as read after (None: gone)."""
    return ended(c.window, a, now) if c.action == END else started(c.window, a)


class AuditedReconcile:
    def __init__(self, inner: Any, ctx: BackendContext, name: str) -> None:
        self.inner = inner
        self.ctx = ctx
        self.name = name
        # (action, window id): whose request is written (never asked for again), and
        # whose change is recorded as made (one made later is recorded then)
        self.asked: set[tuple[str, str]] = set()
        self.done: set[tuple[str, str]] = set()

    async def reconcile(
        self, latency: LatencySnapshot | None = None, *, start: bool = True
    ) -> list[str]:
        try:
            before = await self._read()
        except Exception as exc:  # ends still run (they never wait); starts do not
            log.warning("%s: reconcile not audited: %s", self.name, describe_error(exc))
            lines: list[str] = await self.inner.reconcile(latency, start=False)
            why = f"its windows could not be read ({describe_error(exc)})"
            return [*lines, f"not audited: {why}"] if lines else lines
        now = self.ctx.clock.now()
        mode = "ends and starts" if start else "ends only"
        changes = [c for c in due(before, latency, start, now) if c.key not in self.asked]
        for c in changes:
            try:
                c.record_id = await self._append(c, mode, "request")
                self.asked.add(c.key)
            except Exception as exc:
                c.unaudited = unwritten(exc)
                start = start and c.action != START  # fail closed: none starts unaudited
        failure: Exception | None = None
        try:
            lines = await self.inner.reconcile(latency, start=start)
        except Exception as exc:
            failure, lines = exc, []
        if changes or lines or failure is not None:
            lines = [*lines, *await self._outcomes(before, changes, mode, failure)]
        if failure is not None:
            raise failure
        return lines

    async def _outcomes(
        self, before: FaultsSnapshot, changes: list[Change], mode: str, failure: Exception | None
    ) -> list[str]:
        """Each request's outcome, and the changes no request foresaw; the lines to add
        (an end that went unaudited)."""
        try:
            after = await self._read()
        except Exception as exc:
            said = f"unknown: its windows could not be read after it ({describe_error(exc)})"
            for c in changes:
                if c.record_id:
                    await self._try(c, mode, "outcome", said)
            return []
        now = self.ctx.clock.now()
        now_as = {w.id: w for w in after.windows}
        foreseen = {c.key for c in changes} | self.done
        for b in before.windows:
            a = now_as.get(b.id)
            why = (a.end_reason if a else "") or f"ended by the {self.name} backend"
            for c in (Change(END, b, why), Change(START, b)):
                if c.key not in foreseen and made(c, a, now):
                    changes.append(c)
        extra = []
        for c in changes:
            happened = made(c, now_as.get(c.window.id), now)
            if happened:
                said = APPLIED
            elif failure is not None:
                said = failed_outcome(failure)
            else:
                verb = "ended" if c.action == END else "started"
                said = f"refused: the {self.name} backend's reconcile has not {verb} it"
            if not c.record_id and happened:  # after it was made: both records now
                c.record_id = await self._try(c, mode, "request", recorded=AFTER)
            if c.record_id:
                self.asked.add(c.key)
                await self._try(c, mode, "outcome", said)
                if happened:
                    self.done.add(c.key)
            elif happened and c.action == END:
                why = c.unaudited or unwritten(None)
                extra.append(f"{c.window.id} {c.target}: {c.why}; not audited: {why}")
        return extra

    async def _try(self, c: Change, mode: str, phase: str, said: str = "", **more: str) -> str:
        """`_append`, its failure logged: the round goes on (the change is made)."""
        try:
            return await self._append(c, mode, phase, said, **more)
        except Exception as exc:
            c.unaudited = unwritten(exc)
            log.error("%s: %s of %s not audited: %s", self.name, c.action, c.window.id, exc)
            return ""

    async def _append(self, c: Change, mode: str, phase: str, said: str = "", **more: str) -> str:
        """Write the change's record of `phase`; its record id (the request's, or a new one)."""
        audit = self.ctx.audit
        if audit is None:
            raise ActionRefused("no audit sink is configured")
        record_id = c.record_id or uuid.uuid4().hex
        details = {
            "window_id": c.window.id,
            **({"reason": c.why, "mode": mode} if c.action == END else {"owner": c.window.owner}),
            "backend": self.name,
            "run_by": self.ctx.actor,
            "checked_by": "watchfloor",
            **more,
        }
        await audit.append(
            RECONCILER,
            c.action,
            c.target,
            phase,
            record_id=record_id,
            outcome=said,
            details=details if phase == "request" else None,
        )
        return record_id

    async def _read(self) -> FaultsSnapshot:
        """The source's windows now; raises if they cannot be read (its health an error)."""
        snapshot = getattr(self.inner, "snapshot", None)
        if callable(snapshot):
            got = await asyncio.wait_for(snapshot(), READ_S)
        else:
            stream = self.inner.watch()
            try:
                got = await asyncio.wait_for(anext(stream), READ_S)
            finally:
                close = getattr(stream, "aclose", None)
                if close is not None:
                    await close()
        if not isinstance(got, FaultsSnapshot):
            raise TypeError(f"the {self.name} backend gave {type(got).__name__}")
        if got.health.state is HealthState.ERROR:
            raise RuntimeError(got.health.last_error or "its source is down")
        return got
