"""Local fault windows: they drive the simulator, so the Latency pane really reacts.

Windows live in their own SQLite file (faults-local.sqlite3 in the data dir), so a window
scheduled by `watchfloor faults schedule` shows in a running dashboard and
`watchfloor faults reconcile` in another process ends it. As on a mesh, a window is put in
when it starts: at once if it starts now, else by a reconciler once its time has come
(audited `fault-start`; never by a read-only dashboard's, which runs `start=False`).
The simulator feels a started window while it is ACTIVE and takes it out by itself at its
end, so nothing can leak. In this store `applied` says the window was started, and stays
so after it ends (the simulator still needs it for the time before its end); a snapshot
reports `applied` only while the window is ACTIVE. Reconciling (backends.local.fault_reconcile)
records why a window ended (on time, a guard, HALT ALL).

Two dashboards (alice's and bob's) and the command line may end, or start, the same
window at once: each change is a compare-and-set in the store (FaultStore.change), so a
window is ended by one of them, and the others are told who did (AlreadyEnded, "0
window(s) ended; 2 already ended by alice"), in their audit outcomes too.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from backends.actions import audited
from backends.audit_text import schedule_outcome
from backends.contracts import ActionRefused
from backends.fault_ends import (
    AlreadyEnded,
    Halted,
    ended_by,
    halt_details,
    halt_outcome,
    halted_by,
    removal_reason,
)
from backends.fault_policy import FaultPolicy, removal_audited
from backends.fault_store import FaultStore, store_path
from backends.faults_core import (
    Limits,
    check,
    ended,
    is_open,
    new_window,
    started,
)
from backends.local.fault_reconcile import LocalReconcile
from backends.local.runtime import LocalRuntime
from backends.local.sim.faults import SIMULATED_HOSTS, routes_for_target
from backends.models import (
    Actor,
    FaultRequest,
    FaultsSnapshot,
    FaultWindow,
    HealthState,
    SourceHealth,
    WindowState,
)
from backends.polling import poll


def closed(w: FaultWindow, at: datetime, why: str) -> FaultWindow:
    """`ended`, keeping whether it was started (see the module's docstring)."""
    return ended(w, at, why).model_copy(update={"applied": w.applied})


class LocalFaults(LocalReconcile):
    name = "local"
    ends_on_time = True  # the simulator takes a started window out at its end by itself

    def __init__(self, rt: LocalRuntime) -> None:
        self.rt = rt
        opts = rt.options
        self.limits = Limits.of(
            opts.protected_namespaces, opts.max_fault_percent, opts.max_window_minutes
        )
        self.policy = FaultPolicy(self.limits)
        self._store: FaultStore | None = None

    def _db(self) -> FaultStore:
        if self._store is None:
            self._store = FaultStore(store_path(self.rt.ctx.data_dir, "local"))
        return self._store

    async def _load(self, now: datetime) -> list[FaultWindow]:
        """The windows on disk, handed to the runtime (and so to the simulator)."""
        windows = await asyncio.to_thread(self._db().recent, now)
        self.rt.windows.clear()
        self.rt.windows.update((w.id, w) for w in windows)
        return windows

    async def snapshot(self) -> FaultsSnapshot:
        await self._load(self.rt.clock.now())
        now = self.rt.sync()
        health = SourceHealth(
            state=HealthState.OK, last_ok_at=now, interval_s=self.rt.ctx.interval_s
        )
        windows = [
            w.model_copy(update={"applied": w.applied and w.state(now) is WindowState.ACTIVE})
            for w in sorted(self.rt.windows.values(), key=lambda w: (w.starts_at, w.id))
        ]
        return FaultsSnapshot(
            observed_at=now, health=health, source=self.name, windows=tuple(windows)
        )

    def watch(self) -> AsyncIterator[FaultsSnapshot]:
        return poll(
            FaultsSnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.rt.ctx.interval_s,
            clock=self.rt.clock,
        )

    async def _put(self, w: FaultWindow) -> None:
        await asyncio.to_thread(self._db().put, w)
        self.rt.windows[w.id] = w

    async def _change(
        self, ids: list[str], new: Callable[[FaultWindow], FaultWindow | None]
    ) -> tuple[list[FaultWindow], list[FaultWindow]]:
        """FaultStore.change (a compare-and-set: another process may have got there
        first), the windows as now stored handed to the simulator."""
        changed, left = await asyncio.to_thread(self._db().change, ids, new)
        self.rt.windows.update((w.id, w) for w in [*changed, *left])
        return changed, left

    async def _close(self, w: FaultWindow, why: Callable[[FaultWindow], str]) -> FaultWindow:
        """`w` ended now, `why(w)` saying why, unless it has ended meanwhile (AlreadyEnded,
        saying by whom)."""
        at = self.rt.clock.now()
        changed, left = await self._change(
            [w.id], lambda x: closed(x, at, why(x)) if is_open(x, at) else None
        )
        if not changed:
            raise AlreadyEnded(left[0] if left else w, at)
        return changed[0]

    async def schedule(self, req: FaultRequest, actor: Actor) -> FaultWindow:
        check(req, self.limits)
        host = req.spec.target_host
        if not routes_for_target(host):  # a typo would run a window that changes nothing
            raise ActionRefused(
                f"target host {host!r} is not in the local simulation: "
                f"use {', '.join(SIMULATED_HOSTS)}",
                field="spec.target_host",
            )
        await self.policy.check("schedule", actor, req.reason, req)
        now = self.rt.clock.now()
        w = new_window(req, actor, now, uuid.uuid4().hex[:8])
        if w.state(now) is WindowState.ACTIVE:
            w = started(w, now, actor.name)  # starts now: put in at once

        async def apply() -> FaultWindow:
            await self._put(w)
            return w

        return await audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="fault-schedule",
            target=f"{w.spec.namespace}/{w.spec.target_host}",
            details={
                "window_id": w.id,
                "reason": w.reason,
                "starts_at": w.starts_at.isoformat(),
                "ends_at": w.ends_at.isoformat(),
            },
            apply=apply,
            outcome=schedule_outcome,  # "applied" only if its fault went in at once
        )

    async def end(self, window_id: str, actor: Actor, reason: str) -> None:
        reason = removal_reason(reason)
        await self.policy.check("end", actor, reason)
        w = await asyncio.to_thread(self._db().get, window_id)
        now = self.rt.clock.now()
        if w is None:
            raise ActionRefused(f"no open fault window {window_id!r}")
        if not is_open(w, now):  # someone ended it (the pane had not shown it yet)
            raise AlreadyEnded(w, now)

        async def apply() -> None:
            await self._close(w, lambda _: ended_by(actor.name, reason))

        await removal_audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="fault-end",
            target=f"{w.spec.namespace}/{w.spec.target_host}",
            details={"window_id": w.id, "reason": reason},
            apply=apply,
        )

    async def halt_all(self, actor: Actor, reason: str) -> int:
        reason = removal_reason(reason)
        await self.policy.check("halt", actor, reason)
        now = self.rt.clock.now()
        open_ids = [w.id for w in await self._load(now) if is_open(w, now)]

        async def apply() -> Halted:
            at = self.rt.clock.now()
            why = halted_by(actor.name, reason)
            done, left = await self._change(
                open_ids, lambda w: closed(w, at, why) if is_open(w, at) else None
            )
            return Halted(done, left)  # `left`: another ended them first

        return await removal_audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="fault-halt-all",
            target="*",
            details={"reason": reason, "windows": ",".join(open_ids)},
            apply=apply,
            outcome=halt_outcome,  # "applied", or "0 window(s) ended; 2 already ended by …"
            outcome_details=halt_details,
        )

    async def aclose(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self.rt.close()
