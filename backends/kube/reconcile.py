"""Reconciling kube fault windows: end what is due, start what is scheduled.

The cluster says what is applied and the store what was scheduled, so any
`watchfloor faults reconcile` (a laptop, cron, a pod) can take out a fault past its end
(saying how late, when it could not sooner), one whose guard tripped, one ended elsewhere
or one in a protected namespace, end a window whose fault someone took off its routes,
and put in the scheduled windows whose time has come. What it takes out of the mesh or
puts in is audited as the reconciler (`watchfloor-reconcile`), with who ran it (`run_by`).
With `start=False` (a read-only dashboard) it only takes faults out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from backends.actions import audited
from backends.clock import Clock
from backends.contracts import ActionRefused, UnauditedRemoval
from backends.fault_ends import removed_outcome
from backends.fault_policy import removal_audited
from backends.fault_store import FaultStore
from backends.fault_times import ended_late_by, ended_late_words
from backends.faults_core import NEVER_STARTED, ended, guard_tripped, started
from backends.kube.mesh import FaultMesh
from backends.models import FaultWindow, LatencySnapshot, WindowState
from backends.polling import describe_error
from backends.registry import BackendContext

T = TypeVar("T")
RECONCILER = "watchfloor-reconcile"
REMOVED_OUTSIDE = "removed outside watchfloor"  # its fault was taken out by someone else


class KubeReconcile:
    """The reconcile half of KubeFaults, which provides the state declared here."""

    name: str
    ctx: BackendContext
    clock: Clock
    never: frozenset[str]
    mesh: FaultMesh
    _lock: asyncio.Lock

    if TYPE_CHECKING:

        def _db(self) -> FaultStore: ...

        async def _run(self, fn: Callable[..., T], *args: Any) -> T: ...

    async def reconcile(
        self, latency: LatencySnapshot | None = None, *, start: bool = True
    ) -> list[str]:
        """End what is due (past its end, guard tripped, ended elsewhere, in a protected
        namespace, its fault taken off outside watchfloor) and, unless `start` is False,
        start scheduled windows whose time has come. Ending only removes our fault, or
        ours as someone edited it, and our labels and annotations
        (backends.fault_istio.without_fault)."""
        mode = "ends and starts" if start else "ends only"
        now = self.clock.now()
        live = await self._run(self.mesh.live, now)
        stored = {w.id: w for w in await self._run(self._db().recent, now)}
        report: list[str] = []
        for wid, (w, _) in live.items():
            s = stored.get(wid)
            why, early = None, True
            if w.spec.namespace in self.never:
                why = f"in protected namespace {w.spec.namespace}"
            elif not w.applied:  # every fault taken off its routes: not ours to say when
                why = REMOVED_OUTSIDE
            elif now >= w.ends_at:
                late = ended_late_by(w, now)  # no reconciler could take it out at its end
                why = "ended on time" if late is None else ended_late_words(late)
                early = False
            elif s is not None and s.ended_early_at is not None and s.ended_early_at <= now:
                why = s.end_reason or "ended"
            else:
                why = guard_tripped(w, latency)
            if why is None:
                continue
            try:
                said = await self._end_by_reconcile(s or w, why, now, ended_early=early, mode=mode)
            except UnauditedRemoval as exc:  # removed all the same: say so
                said = f"{why}; {exc}"
            except Exception as exc:  # one failure must not stop the others; next round retries
                report.append(f"{wid}: could not remove ({why}): {describe_error(exc)}")
                continue
            report.append(f"{wid} {w.spec.namespace}/{w.spec.target_host}: removed, {said}")
        for wid, s in stored.items():
            if wid in live:
                continue
            if s.state(now) is WindowState.ENDED and not s.applied and not s.end_reason:
                # its whole window passed with no reconciler running: say so (it read
                # "ended" as if the fault had run), as the local backend does
                said = f"{wid}: {NEVER_STARTED}"
                try:
                    await self._record_never_started(s, mode)
                except UnauditedRemoval as exc:
                    said += f"; {exc}"
                report.append(said)
                continue
            if s.state(now) is not WindowState.ACTIVE:
                continue
            if s.applied:
                gone = s.model_copy(update={"applied": False})
                await self._run(self._db().put, ended(gone, now, REMOVED_OUTSIDE))
                report.append(f"{wid}: no longer in the cluster, marked ended")
                continue
            if (why := guard_tripped(s, latency)) is not None:
                await self._run(self._db().put, ended(s, now, why))
                report.append(f"{wid}: not started, {why}")
                continue
            if start:
                report.append(await self._start_by_reconcile(s))
        return report

    async def _end_by_reconcile(
        self, w: FaultWindow, why: str, now: datetime, *, ended_early: bool, mode: str
    ) -> str:
        """Take its fault out; why it ended, with what else came out (a fault someone
        edited meanwhile), as stored."""

        # its fault stayed in well past its end (no reconciler could take it out sooner):
        # when it came out, for the store and the trail
        late = now if not ended_early and ended_late_by(w, now) is not None else None

        async def apply() -> str:
            async with self._lock:
                out = await self._run(self.mesh.remove, {w.id})
                out.check()
                said = why + out.notes(w.id)
                if ended_early:
                    done = ended(w.model_copy(update={"applied": True}), now, said)  # it was in
                else:
                    done = w.model_copy(
                        update={"applied": False, "end_reason": said, "ended_late_at": late}
                    )
                await self._run(self._db().put, done)
                return said

        more = {"ended_late_at": late.isoformat()} if late is not None else {}

        def outcome(said: str) -> str:  # "applied; the fault on route ...: removed"
            return removed_outcome(said.removeprefix(why))

        return await self._audited_end(w, why, mode, apply, outcome=outcome, **more)

    async def _record_never_started(self, w: FaultWindow, mode: str) -> None:
        """Nothing to take out of the mesh; the store and the audit trail say why it ended."""

        async def apply() -> None:
            await self._run(self._db().put, w.model_copy(update={"end_reason": NEVER_STARTED}))

        await self._audited_end(w, NEVER_STARTED, mode, apply)

    async def _audited_end(
        self,
        w: FaultWindow,
        why: str,
        mode: str,
        apply: Callable[[], Awaitable[T]],
        outcome: Callable[[T], str] | None = None,
        **more: str,
    ) -> T:
        return await removal_audited(
            self.ctx.audit,
            actor=RECONCILER,
            action="fault-reconcile-end",
            target=f"{w.spec.namespace}/{w.spec.target_host}",
            details={
                "window_id": w.id,
                "reason": why,
                "backend": self.name,
                "run_by": self.ctx.actor,
                "mode": mode,
                **more,
            },
            apply=apply,
            outcome=outcome,
        )

    async def _start_by_reconcile(self, w: FaultWindow) -> str:
        async def apply() -> str:
            async with self._lock:
                what = await self._run(self.mesh.apply, w)
                await self._run(self._db().put, started(w, self.clock.now(), self.ctx.actor))
                return what

        try:
            what = await audited(
                self.ctx.audit,
                actor=RECONCILER,
                action="fault-start",
                target=f"{w.spec.namespace}/{w.spec.target_host}",
                details={
                    "window_id": w.id,
                    "owner": w.owner,
                    "backend": self.name,
                    "run_by": self.ctx.actor,
                },
                apply=apply,
            )
        except ActionRefused as exc:
            await self._run(self._db().put, ended(w, self.clock.now(), f"not started: {exc}"))
            return f"{w.id}: not started, {exc}"
        except Exception as exc:  # the API server failed: stays scheduled, next round retries
            return f"{w.id}: could not start yet: {describe_error(exc)}"
        return f"{w.id}: started, {what}"
