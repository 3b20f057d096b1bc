"""Local read-mostly sources: access decisions, latency, release train, all from the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from backends.actions import audited
from backends.local.runtime import LocalRuntime
from backends.local.sim.release import ManualRehearsal
from backends.models import (
    AccessSnapshot,
    Actor,
    Decision,
    LatencySnapshot,
    ReleaseSnapshot,
)
from backends.polling import poll
from backends.rehearsals import IN_PROGRESS, check_request, refuse_if_running, rehearsal_reason

REHEARSAL_TARGET = "the local simulation's stage environment"


class _SimSource:
    name = "local"

    def __init__(self, rt: LocalRuntime) -> None:
        self.rt = rt

    async def aclose(self) -> None:
        self.rt.close()


class LocalAccess(_SimSource):
    async def snapshot(self) -> AccessSnapshot:
        self.rt.sync()
        return self.rt.sim.access()

    async def recent_decisions(self, limit: int = 1000) -> list[Decision]:
        """contracts.DecisionHistory: the simulator's last decisions, for a dry-run."""
        self.rt.sync()
        return self.rt.sim.decisions.recent_decisions(limit)

    def watch(self) -> AsyncIterator[AccessSnapshot]:
        return poll(
            AccessSnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.rt.ctx.interval_s,
            clock=self.rt.clock,
        )


class LocalLatency(_SimSource):
    async def snapshot(self) -> LatencySnapshot:
        self.rt.sync()
        return self.rt.sim.latency()

    def watch(self) -> AsyncIterator[LatencySnapshot]:
        return poll(
            LatencySnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.rt.ctx.interval_s,
            clock=self.rt.clock,
        )


class LocalRelease(_SimSource):
    async def snapshot(self) -> ReleaseSnapshot:
        await self.rt.sync_train()
        self.rt.sync()
        return self.rt.sim.release().model_copy(update={"rehearsal_target": REHEARSAL_TARGET})

    def watch(self) -> AsyncIterator[ReleaseSnapshot]:
        return poll(
            ReleaseSnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.rt.ctx.interval_s,
            clock=self.rt.clock,
        )

    async def trigger_rehearsal(self, actor: Actor, reason: str) -> None:
        reason = rehearsal_reason(reason)
        check_request(actor, reason)
        snap = await self.snapshot()
        # a manual one still running behind an automatic one started since counts too
        running = [r for r in snap.rehearsals if r.status in IN_PROGRESS]
        refuse_if_running(running[0] if running else snap.rehearsal)
        # what it rolls back and where, as the dialog named them
        details = {"reason": reason, "target": REHEARSAL_TARGET}
        if snap.release is not None:
            details["release"] = snap.release.tag
        release = snap.release.tag if snap.release is not None else None
        train, at = self.rt.sim.train, snap.observed_at

        def run(n: int) -> ManualRehearsal:
            return train.manual_run(n, at, actor.name, reason, release)

        async def apply() -> None:  # in the store: numbered there, seen by every process
            await asyncio.to_thread(self.rt.store.add_rehearsal, run)

        await audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="rollback-rehearsal",
            target="release-train",
            details=details,
            apply=apply,
        )
