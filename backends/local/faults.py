"""Local fault windows: they drive the simulator, so the Latency pane really reacts.

Windows live in their own SQLite file (faults-local.sqlite3 in the data dir), so a window
scheduled by `watchfloor faults schedule` shows in a running dashboard and
`watchfloor faults reconcile` in another process ends it. The simulator applies a window
while it is ACTIVE; reconcile records why a window ended (on time, a guard, HALT ALL).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from backends.actions import audited
from backends.contracts import ActionRefused
from backends.fault_policy import FaultPolicy, removal_audited
from backends.fault_store import FaultStore
from backends.faults_core import Limits, check, ended, guard_tripped, new_window
from backends.local.runtime import LocalRuntime
from backends.models import (
    Actor,
    FaultRequest,
    FaultsSnapshot,
    FaultWindow,
    HealthState,
    LatencySnapshot,
    SourceHealth,
    WindowState,
)
from backends.polling import poll

RECONCILER = "watchfloor-reconcile"


class LocalFaults:
    name = "local"

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
            self._store = FaultStore(self.rt.ctx.data_dir / "faults-local.sqlite3")
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
            w.model_copy(update={"applied": w.state(now) is WindowState.ACTIVE})
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

    async def schedule(self, req: FaultRequest, actor: Actor) -> FaultWindow:
        check(req, self.limits)
        await self.policy.check("schedule", actor, req.reason, req)
        w = new_window(req, actor, self.rt.clock.now(), uuid.uuid4().hex[:8])

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
        )

    async def end(self, window_id: str, actor: Actor, reason: str) -> None:
        await self.policy.check("end", actor, reason)
        w = await asyncio.to_thread(self._db().get, window_id)
        if w is None or w.state(self.rt.clock.now()) is WindowState.ENDED:
            raise ActionRefused(f"no open fault window {window_id!r}")

        async def apply() -> None:
            await self._put(ended(w, self.rt.clock.now(), f"ended by {actor.name}: {reason}"))

        await removal_audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="fault-end",
            target=f"{w.spec.namespace}/{w.spec.target_host}",
            details={"window_id": w.id, "reason": reason},
            apply=apply,
        )

    async def halt_all(self, actor: Actor, reason: str) -> int:
        await self.policy.check("halt", actor, reason)
        now = self.rt.clock.now()
        open_ids = [w.id for w in await self._load(now) if w.state(now) is not WindowState.ENDED]

        async def apply() -> int:
            at = self.rt.clock.now()
            done = [ended(self.rt.windows[wid], at, f"HALT ALL: {reason}") for wid in open_ids]
            await asyncio.to_thread(self._db().put_many, done)
            self.rt.windows.update((w.id, w) for w in done)
            return len(done)

        return await removal_audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="fault-halt-all",
            target="*",
            details={"reason": reason, "windows": ",".join(open_ids)},
            apply=apply,
        )

    async def reconcile(self, latency: LatencySnapshot | None = None) -> list[str]:
        """Record windows that ended on time and end active ones whose guards tripped."""
        now = self.rt.clock.now()
        report = []
        for w in await self._load(now):
            state = w.state(now)
            if state is WindowState.ENDED and not w.end_reason:
                why = "ended on time"
                done = w.model_copy(update={"end_reason": why})
            elif state is WindowState.ACTIVE and (why := guard_tripped(w, latency) or ""):
                done = ended(w, now, why)
            else:
                continue

            async def apply(done: FaultWindow = done) -> None:
                await self._put(done)

            await removal_audited(
                self.rt.ctx.audit,
                actor=RECONCILER,
                action="fault-reconcile-end",
                target=f"{w.spec.namespace}/{w.spec.target_host}",
                details={"window_id": w.id, "reason": why},
                apply=apply,
            )
            report.append(f"{w.id} {w.spec.namespace}/{w.spec.target_host}: {why}")
        return report

    async def aclose(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        self.rt.close()
