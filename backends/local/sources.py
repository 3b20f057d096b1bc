"""Local read-mostly sources: access decisions, latency, release train, all from the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

from backends.actions import audited
from backends.local.runtime import LocalRuntime
from backends.models import AccessSnapshot, Actor, LatencySnapshot, ReleaseSnapshot
from backends.polling import poll


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
        self.rt.sync()
        return self.rt.sim.release()

    def watch(self) -> AsyncIterator[ReleaseSnapshot]:
        return poll(
            ReleaseSnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.rt.ctx.interval_s,
            clock=self.rt.clock,
        )

    async def trigger_rehearsal(self, actor: Actor, reason: str) -> None:
        async def apply() -> None:
            self.rt.sim.trigger_rehearsal()

        await audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="rollback-rehearsal",
            target="release-train",
            details={"reason": reason},
            apply=apply,
        )
