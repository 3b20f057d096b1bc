"""Local fault windows: they drive the simulator, so the Latency pane really reacts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

from backends.actions import audited
from backends.contracts import ActionRefused
from backends.local.runtime import LocalRuntime
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


class LocalFaults:
    name = "local"

    def __init__(self, rt: LocalRuntime) -> None:
        self.rt = rt

    async def snapshot(self) -> FaultsSnapshot:
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

    def _validate(self, req: FaultRequest) -> None:
        opts = self.rt.options
        spec = req.spec
        if spec.namespace in opts.protected_namespaces:
            raise ActionRefused(f"namespace {spec.namespace!r} is protected; faults are refused")
        if spec.delay_percent == 0 and spec.abort_percent == 0:
            raise ActionRefused("a fault needs a delay or abort percentage above 0")
        worst = max(spec.delay_percent, spec.abort_percent)
        if worst > opts.max_fault_percent:
            raise ActionRefused(f"{worst}% is over the cap of {opts.max_fault_percent}%")
        cap = timedelta(minutes=opts.max_window_minutes)
        if not timedelta(0) < req.duration <= cap:
            raise ActionRefused(f"a window lasts more than 0 and at most {cap}")

    async def schedule(self, req: FaultRequest, actor: Actor) -> FaultWindow:
        self._validate(req)
        now = self.rt.clock.now()
        w = FaultWindow(
            id=uuid.uuid4().hex[:8],
            spec=req.spec,
            owner=actor.name,
            reason=req.reason,
            starts_at=now + req.start_in,
            ends_at=now + req.start_in + req.duration,
        )

        async def apply() -> FaultWindow:
            self.rt.windows[w.id] = w
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
        w = self.rt.windows.get(window_id)
        now = self.rt.clock.now()
        if w is None or w.state(now) is WindowState.ENDED:
            raise ActionRefused(f"no open fault window {window_id!r}")

        async def apply() -> None:
            self.rt.windows[w.id] = w.model_copy(update={"ended_early_at": self.rt.clock.now()})

        await audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="fault-end",
            target=f"{w.spec.namespace}/{w.spec.target_host}",
            details={"window_id": w.id, "reason": reason},
            apply=apply,
        )

    async def halt_all(self, actor: Actor, reason: str) -> int:
        now = self.rt.clock.now()
        open_ids = [w.id for w in self.rt.windows.values() if w.state(now) is not WindowState.ENDED]

        async def apply() -> int:
            at = self.rt.clock.now()
            for wid in open_ids:
                self.rt.windows[wid] = self.rt.windows[wid].model_copy(
                    update={"ended_early_at": at}
                )
            return len(open_ids)

        return await audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="fault-halt-all",
            target="*",
            details={"reason": reason, "windows": ",".join(open_ids)},
            apply=apply,
        )

    async def aclose(self) -> None:
        self.rt.close()
