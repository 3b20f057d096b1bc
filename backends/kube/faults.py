"""Fault windows on Istio: HTTPFaultInjection on VirtualServices through the Kubernetes API.

The cluster is the source of truth for what is applied: every managed VirtualService
carries its window (id, owner, reason, start, end, spec, guards) in annotations, so any
`watchfloor faults reconcile` (a laptop, cron, a pod) can end what is due. Windows that
start later, and ended ones for the pane, are kept in a small store under the data dir.

Writes are optimistic: a PUT/DELETE carries the resourceVersion it read; a 409 means
someone changed the object meanwhile, so it is read again and the change recomputed on
the fresh copy (up to `conflict_retries` times), never blindly overwritten.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, TypeVar

from backends.actions import audited
from backends.contracts import ActionRefused
from backends.fault_policy import FaultPolicy, removal_audited
from backends.fault_store import FaultStore
from backends.faults_core import (
    A_CREATED,
    A_WINDOW,
    DEFAULT_PROTECTED,
    Limits,
    TransformError,
    check,
    ended,
    guard_tripped,
    is_managed,
    new_virtual_service,
    new_window,
    serves,
    unreadable_window,
    window_of,
    with_fault,
    without_fault,
)
from backends.kube.client import Conflict, KubeError, NotFound, VirtualServices
from backends.kube.options import KubeOptions
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
from backends.polling import describe_error, poll
from backends.registry import BackendContext
from backends.resilience import ClientPolicy

T = TypeVar("T")
RECONCILER = "watchfloor-reconcile"


class KubeFaults:
    name = "kube"

    def __init__(self, options: KubeOptions, ctx: BackendContext) -> None:
        self.opts = options
        self.ctx = ctx
        self.clock = ctx.clock
        self.limits = Limits.of(
            options.protected_namespaces, options.max_fault_percent, options.max_window_minutes
        )
        self.never = frozenset(DEFAULT_PROTECTED) | self.limits.protected_namespaces
        self.policy = FaultPolicy(self.limits)
        self._vs: VirtualServices | None = None
        # one client policy for this API server, kept across clients (timeouts learnt)
        self.client_policy = ClientPolicy.for_backend(options.request_timeout_s)
        self._store: FaultStore | None = None
        self._lock = asyncio.Lock()

    # --- plumbing -------------------------------------------------------------------------

    def _client(self) -> VirtualServices:
        if self._vs is None:
            self._vs = VirtualServices(self.opts, self.client_policy)
        return self._vs

    def _db(self) -> FaultStore:
        if self._store is None:
            self._store = FaultStore(self.ctx.data_dir / "faults-kube.sqlite3")
        return self._store

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    def _live(self, now: datetime) -> dict[str, tuple[FaultWindow, list[dict[str, Any]]]]:
        """Managed windows in the cluster: id -> (window, the objects carrying it)."""
        out: dict[str, tuple[FaultWindow, list[dict[str, Any]]]] = {}
        for item in self._client().list_managed():
            if not is_managed(item):
                continue
            w = window_of(item) or unreadable_window(item, now)
            out.setdefault(w.id, (w, []))[1].append(item)
        return out

    # --- reading --------------------------------------------------------------------------

    def _snapshot_sync(self) -> FaultsSnapshot:
        now = self.clock.now()
        live = self._live(now)
        windows: dict[str, FaultWindow] = {
            w.id: w.model_copy(update={"applied": False}) for w in self._db().recent(now)
        }
        for wid, (w, _) in live.items():
            stored = windows.get(wid)
            if stored is not None:
                keep = {"ended_early_at": stored.ended_early_at, "end_reason": stored.end_reason}
                w = w.model_copy(update=keep)
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

    # --- the mesh -------------------------------------------------------------------------

    def _apply_sync(self, w: FaultWindow) -> str:
        """Put the window's fault on the VirtualService serving its host (or create one)."""
        if w.spec.namespace in self.never:  # the adapter's own fence, whatever called it
            raise ActionRefused(f"namespace {w.spec.namespace!r} is protected; faults refused")
        vs, ns, host = self._client(), w.spec.namespace, w.spec.target_host
        for _ in range(self.opts.conflict_retries):
            targets = sorted(
                (x for x in vs.list_in(ns) if serves(x, host, ns)),
                key=lambda x: x["metadata"]["name"],
            )
            if not targets:
                body = new_virtual_service(w, vs.api_version)
                try:
                    vs.create(ns, body)
                except Conflict:
                    continue  # someone created one meanwhile: read again
                return f"created {ns}/{body['metadata']['name']}"
            target = targets[0]
            try:
                body = with_fault(target, w)
            except TransformError as exc:
                raise ActionRefused(str(exc)) from None
            try:
                vs.replace(ns, target["metadata"]["name"], body)
            except Conflict:
                continue  # changed since we read it: recompute on a fresh copy
            return f"fault on {ns}/{target['metadata']['name']}"
        raise KubeError(409, f"{ns}: still conflicting after {self.opts.conflict_retries} tries")

    def _remove_one(self, item: dict[str, Any]) -> None:
        vs = self._client()
        ns, name = item["metadata"]["namespace"], item["metadata"]["name"]
        wid = item["metadata"]["annotations"][A_WINDOW]
        for _ in range(self.opts.conflict_retries):
            rv = item["metadata"].get("resourceVersion", "")
            try:
                if item["metadata"]["annotations"].get(A_CREATED) == "true":
                    vs.delete(ns, name, rv)
                else:
                    vs.replace(ns, name, without_fault(item))
                return
            except NotFound:
                return  # already gone: nothing to remove
            except TransformError as exc:
                raise KubeError(0, f"{ns}/{name}: {exc}; fix it by hand") from None
            except Conflict:
                try:
                    item = vs.get(ns, name)
                except NotFound:
                    return
                ann = item.get("metadata", {}).get("annotations") or {}
                if not is_managed(item) or ann.get(A_WINDOW) != wid:
                    return  # someone already took our fault out
        raise KubeError(409, f"{ns}/{name}: still conflicting after {self.opts.conflict_retries}")

    def _remove_sync(self, window_ids: set[str] | None) -> set[str]:
        """Take out the faults of these windows (None: every managed one). Every object is
        tried even if one fails; the first failure is raised at the end."""
        removed: set[str] = set()
        errors: list[str] = []
        for wid, (_, items) in self._live(self.clock.now()).items():
            if window_ids is not None and wid not in window_ids:
                continue
            for item in items:
                try:
                    self._remove_one(item)
                except KubeError as exc:
                    errors.append(describe_error(exc))
                    continue
            removed.add(wid)
        if errors:
            raise KubeError(0, "; ".join(errors))
        return removed

    # --- actions --------------------------------------------------------------------------

    async def schedule(self, req: FaultRequest, actor: Actor) -> FaultWindow:
        check(req, self.limits)
        await self.policy.check("schedule", actor, req.reason, req)
        now = self.clock.now()
        w = new_window(req, actor, now, uuid.uuid4().hex[:8])

        async def apply() -> FaultWindow:
            async with self._lock:
                if w.state(self.clock.now()) is WindowState.ACTIVE:
                    await self._run(self._apply_sync, w)
                    stored = w.model_copy(update={"applied": True})
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
        )

    async def end(self, window_id: str, actor: Actor, reason: str) -> None:
        await self.policy.check("end", actor, reason)
        snap = await self.snapshot()
        now = self.clock.now()
        w = next((x for x in snap.windows if x.id == window_id), None)
        if w is None or (w.state(now) is WindowState.ENDED and not w.applied):
            raise ActionRefused(f"no open fault window {window_id!r}")

        async def apply() -> None:
            async with self._lock:
                await self._run(self._remove_sync, {window_id})
                why = f"ended by {actor.name}: {reason}"
                await self._run(self._db().put, ended(w, self.clock.now(), why))

        await removal_audited(
            self.ctx.audit,
            actor=actor.name,
            action="fault-end",
            target=f"{w.spec.namespace}/{w.spec.target_host}",
            details={"window_id": w.id, "reason": reason, "backend": self.name},
            apply=apply,
        )

    async def halt_all(self, actor: Actor, reason: str) -> int:
        await self.policy.check("halt", actor, reason)

        async def apply() -> int:
            async with self._lock:
                now = self.clock.now()
                removed = await self._run(self._remove_sync, None)
                stored = await self._run(self._db().recent, now)
                count = set(removed)
                done = []
                for w in stored:
                    if w.id in removed or w.state(now) is not WindowState.ENDED:
                        count.add(w.id)
                        done.append(ended(w, now, f"HALT ALL: {reason}"))
                await self._run(self._db().put_many, done)
                return len(count)

        return await removal_audited(
            self.ctx.audit,
            actor=actor.name,
            action="fault-halt-all",
            target="*",
            details={"reason": reason, "backend": self.name},
            apply=apply,
        )

    async def reconcile(self, latency: LatencySnapshot | None = None) -> list[str]:
        """End what is due (past its end, guard tripped, ended elsewhere, in a protected
        namespace) and start scheduled windows whose time has come."""
        now = self.clock.now()
        live = await self._run(self._live, now)
        stored = {w.id: w for w in await self._run(self._db().recent, now)}
        report: list[str] = []
        for wid, (w, _) in live.items():
            s = stored.get(wid)
            why = None
            if w.spec.namespace in self.never:
                why = f"in protected namespace {w.spec.namespace}"
            elif now >= w.ends_at:
                why = "ended on time"
            elif s is not None and s.ended_early_at is not None and s.ended_early_at <= now:
                why = s.end_reason or "ended"
            else:
                why = guard_tripped(w, latency)
            if why is None:
                continue
            try:
                await self._end_by_reconcile(s or w, why, now, ended_early=why != "ended on time")
            except Exception as exc:  # one failure must not stop the others; next round retries
                report.append(f"{wid}: could not remove ({why}): {describe_error(exc)}")
                continue
            report.append(f"{wid} {w.spec.namespace}/{w.spec.target_host}: removed, {why}")
        for wid, s in stored.items():
            if wid in live or s.state(now) is not WindowState.ACTIVE:
                continue
            if s.applied:
                gone = s.model_copy(update={"applied": False})
                await self._run(self._db().put, ended(gone, now, "removed outside watchfloor"))
                report.append(f"{wid}: no longer in the cluster, marked ended")
                continue
            if (why := guard_tripped(s, latency)) is not None:
                await self._run(self._db().put, ended(s, now, why))
                report.append(f"{wid}: not started, {why}")
                continue
            report.append(await self._start_by_reconcile(s))
        return report

    async def _end_by_reconcile(
        self, w: FaultWindow, why: str, now: datetime, *, ended_early: bool
    ) -> None:
        async def apply() -> None:
            async with self._lock:
                await self._run(self._remove_sync, {w.id})
                done = (
                    ended(w, now, why)
                    if ended_early
                    else w.model_copy(update={"applied": False, "end_reason": why})
                )
                await self._run(self._db().put, done)

        await removal_audited(
            self.ctx.audit,
            actor=RECONCILER,
            action="fault-reconcile-end",
            target=f"{w.spec.namespace}/{w.spec.target_host}",
            details={"window_id": w.id, "reason": why, "backend": self.name},
            apply=apply,
        )

    async def _start_by_reconcile(self, w: FaultWindow) -> str:
        async def apply() -> str:
            async with self._lock:
                what = await self._run(self._apply_sync, w)
                await self._run(self._db().put, w.model_copy(update={"applied": True}))
                return what

        try:
            what = await audited(
                self.ctx.audit,
                actor=RECONCILER,
                action="fault-start",
                target=f"{w.spec.namespace}/{w.spec.target_host}",
                details={"window_id": w.id, "owner": w.owner, "backend": self.name},
                apply=apply,
            )
        except ActionRefused as exc:
            await self._run(self._db().put, ended(w, self.clock.now(), f"not started: {exc}"))
            return f"{w.id}: not started, {exc}"
        except Exception as exc:  # the API server failed: stays scheduled, next round retries
            return f"{w.id}: could not start yet: {describe_error(exc)}"
        return f"{w.id}: started, {what}"

    async def aclose(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
