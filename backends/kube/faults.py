"""Fault windows on Istio: the kube adapter's window bookkeeping and actions.

The cluster is the source of truth for what is applied: every managed VirtualService
carries its window (id, owner, reason, start, end, spec, guards) in annotations, so any
`watchfloor faults reconcile` (a laptop, cron, a pod) can end what is due. Windows that
start later, and ended ones for the pane, are kept in a small store under the data dir.
Reading and writing the VirtualServices is backends.kube.mesh; reconciling is
backends.kube.reconcile, HALT ALL backends.kube.halt. Ending a window is a compare-and-set
in the store: `e` on a window someone ended meanwhile says who did (AlreadyEnded).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC
from typing import Any, TypeVar

from backends.actions import audited
from backends.audit_text import schedule_outcome
from backends.contracts import ActionRefused
from backends.fault_ends import (
    AlreadyEnded,
    ended_by,
    removal_reason,
    removed_outcome,
)
from backends.fault_policy import FaultPolicy, removal_audited
from backends.fault_store import FaultStore
from backends.fault_times import clock as time_of_day
from backends.fault_times import span
from backends.faults_core import (
    DEFAULT_PROTECTED,
    Limits,
    check,
    ended,
    ended_at,
    new_window,
    overlapping,
    started,
)
from backends.kube.halt import KubeHalt
from backends.kube.mesh import FaultMesh
from backends.kube.options import KubeOptions
from backends.kube.reconcile import unended
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
from backends.registry import BackendContext
from backends.resilience import ClientPolicy

T = TypeVar("T")
# what the store knows of a window and its VirtualService's annotations do not
KEPT = {"ended_early_at", "end_reason", "scheduled_at", "started_at", "started_by"}


class KubeFaults(KubeHalt):
    name = "kube"
    ends_on_time = False  # its VirtualService stays in the mesh until a reconciler runs

    def __init__(self, options: KubeOptions, ctx: BackendContext) -> None:
        self.opts = options
        self.ctx = ctx
        self.clock = ctx.clock
        self.limits = Limits.of(
            options.protected_namespaces, options.max_fault_percent, options.max_window_minutes
        )
        self.never = frozenset(DEFAULT_PROTECTED) | self.limits.protected_namespaces
        self.policy = FaultPolicy(self.limits)
        # one client policy for this API server, kept across clients (timeouts learnt)
        self.client_policy = ClientPolicy.for_backend(options.request_timeout_s)
        self.mesh = FaultMesh(options, self.client_policy, self.never, self.clock)
        self._store: FaultStore | None = None
        self._lock = asyncio.Lock()

    # --- plumbing -------------------------------------------------------------------------

    def _db(self) -> FaultStore:
        if self._store is None:
            self._store = FaultStore(self.ctx.data_dir / "faults-kube.sqlite3")
        return self._store

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    # --- reading --------------------------------------------------------------------------

    def _snapshot_sync(self) -> FaultsSnapshot:
        now = self.clock.now()
        live = self.mesh.live(now)
        windows: dict[str, FaultWindow] = {
            w.id: w.model_copy(update={"applied": False}) for w in self._db().recent(now)
        }
        for wid, (w, _) in live.items():
            stored = windows.get(wid)
            if stored is not None:
                w = w.model_copy(update=stored.model_dump(include=KEPT))
            windows[wid] = w
        health = SourceHealth(state=HealthState.OK, last_ok_at=now, interval_s=self.ctx.interval_s)
        ordered = sorted(windows.values(), key=lambda w: (w.starts_at, w.id))
        return FaultsSnapshot(
            observed_at=now, health=health, source=self.name, windows=tuple(ordered)
        )

    async def snapshot(self) -> FaultsSnapshot:
        return await self._run(self._snapshot_sync)

    def watch(self) -> AsyncIterator[FaultsSnapshot]:
        return poll(
            FaultsSnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.ctx.interval_s,
            clock=self.clock,
        )

    # --- actions --------------------------------------------------------------------------

    async def schedule(self, req: FaultRequest, actor: Actor) -> FaultWindow:
        check(req, self.limits)
        await self.policy.check("schedule", actor, req.reason, req)
        now = self.clock.now()
        w = new_window(req, actor, now, uuid.uuid4().hex[:8])

        async def apply() -> FaultWindow:
            async with self._lock:
                await self._refuse_overlap(w)
                if w.state(self.clock.now()) is WindowState.ACTIVE:
                    await self._run(self.mesh.apply, w)
                    stored = started(w, self.clock.now(), actor.name)
                else:
                    stored = w
                await self._run(self._db().put, stored)
            return stored

        return await audited(
            self.ctx.audit,
            actor=actor.name,
            action="fault-schedule",
            target=f"{w.spec.namespace}/{w.spec.target_host}",
            details={
                "window_id": w.id,
                "reason": w.reason,
                "starts_at": w.starts_at.isoformat(),
                "ends_at": w.ends_at.isoformat(),
                "backend": self.name,
            },
            apply=apply,
            outcome=schedule_outcome,  # "applied" only if its fault went in at once
        )

    async def _refuse_overlap(self, w: FaultWindow) -> None:
        """One window per host at a time (its VirtualService carries one fault): one that
        overlaps another was accepted, then cancelled when due ("already carries fault
        window …"). Read after the request is audited: with the API down, that fails."""
        snap = await self.snapshot()
        now = self.clock.now()
        other = overlapping(w, snap.windows, now)
        if other is None:
            return
        today = now.astimezone(UTC).date()
        until = time_of_day(max(ended_at(other), now), today)
        raise ActionRefused(
            f"{w.spec.namespace}/{w.spec.target_host} has fault window {other.id}"
            f" ({span(other.starts_at, ended_at(other), today)}), which this one overlaps:"
            f" one window per host at a time; start it after {until}Z or end {other.id} first",
            field="start_in",
        )

    async def end(self, window_id: str, actor: Actor, reason: str) -> None:
        """The request is audited before the cluster is read (fail closed): with the API
        server down, its failure is audited too. The target is the store's, which answers
        without the API server (a window it does not know: `window ID`)."""
        reason = removal_reason(reason)
        await self.policy.check("end", actor, reason)
        known = await self._run(self._db().get, window_id)
        target = f"{known.spec.namespace}/{known.spec.target_host}" if known else ""

        async def apply() -> str:
            snap = await self.snapshot()
            now = self.clock.now()
            w = next((x for x in snap.windows if x.id == window_id), None)
            if w is None:
                raise ActionRefused(f"no open fault window {window_id!r}")
            if w.state(now) is WindowState.ENDED and not w.applied:
                raise AlreadyEnded(w, now)  # by whom, when and how
            async with self._lock:
                out = await self._run(self.mesh.remove, {window_id})
                out.check()
                # and what else came out with it (a fault someone edited), said where the
                # end is: `faults end`, the toast, `faults list`, the report
                notes = out.notes(window_id)
                why = ended_by(actor.name, reason) + notes
                # unless another (a HALT ALL, a reconciler) ended it meanwhile: theirs stands
                await self._settle(w, ended(w, self.clock.now(), why), unended)
            return notes

        await removal_audited(
            self.ctx.audit,
            actor=actor.name,
            action="fault-end",
            target=target or f"window {window_id}",
            details={"window_id": window_id, "reason": reason, "backend": self.name},
            apply=apply,
            outcome=removed_outcome,  # and the audit trail too
        )

    async def aclose(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
