"""Reconciling kube fault windows: end what is due, start what is scheduled.

The cluster says what is applied and the store what was scheduled, so any
`watchfloor faults reconcile` (a laptop, cron, a pod) can take out a fault past its end
(saying how late, when it could not sooner), one whose guard tripped, one ended elsewhere
or one in a protected namespace, end a window whose fault someone took off its routes,
and put in the scheduled windows whose time has come. What it takes out of the mesh or
puts in is audited as the reconciler (`watchfloor-reconcile`), with who ran it (`run_by`).
With `start=False` (a read-only dashboard) it only takes faults out.

Two dashboards on one data dir (and the command line) may end or start the same window
at once: each store write here is a compare-and-set (FaultStore.change), so a window
another reconciler, someone's `e` or a HALT ALL got to first is left as they made it,
and this one's audit outcome says who ("refused: … already ended by alice …").
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from backends.actions import audited
from backends.clock import Clock
from backends.contracts import ActionRefused, UnauditedRemoval
from backends.fault_ends import AlreadyEnded, removed_outcome
from backends.fault_policy import removal_audited
from backends.fault_store import FaultStore
from backends.fault_times import ended_late_by, ended_late_words
from backends.faults_core import NEVER_STARTED, ended, guard_tripped, is_open, started
from backends.kube.mesh import FaultMesh
from backends.models import FaultWindow, LatencySnapshot, WindowState
from backends.polling import describe_error
from backends.registry import BackendContext

T = TypeVar("T")
RECONCILER = "watchfloor-reconcile"
REMOVED_OUTSIDE = "removed outside watchfloor"  # its fault was taken out by someone else
Changed = tuple[list[FaultWindow], list[FaultWindow]]


def unended(w: FaultWindow) -> bool:
    """Nobody has ended it, nor recorded its end: its fault may still be in the mesh past
    its end (no reconciler has run since), and ending it then is still to be done."""
    return w.ended_early_at is None and not w.end_reason


def startable(w: FaultWindow, at: datetime) -> bool:
    """Its time has come, nobody has started it and nobody has ended it."""
    return w.state(at) is WindowState.ACTIVE and not w.applied


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

    async def _change(
        self,
        ids: list[str],
        new: Callable[[FaultWindow], FaultWindow | None],
        absent: dict[str, FaultWindow] | None = None,
    ) -> Changed:
        """FaultStore.change, a compare-and-set: another dashboard on this data dir, or the
        command line, may have got to a window first. `absent`: windows known only from the
        cluster (another data dir put them in), inserted if still not stored."""
        return await self._run(self._db().change, ids, new, absent)

    async def _settle(
        self,
        w: FaultWindow,
        done: FaultWindow,
        still: Callable[[FaultWindow], bool],
        what: str = "nothing to end",
    ) -> FaultWindow:
        """`done` stored in place of `w` if the window as stored now is `still` as it was
        read (or `w`, known from the cluster only, is still not stored); else AlreadyEnded,
        saying who ended it, when and how, then `what`."""
        changed, left = await self._change([w.id], lambda x: done if still(x) else None, {w.id: w})
        if not changed:
            raise AlreadyEnded(left[0] if left else w, self.clock.now(), what)
        return changed[0]

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
            except ActionRefused:  # another got there first (AlreadyEnded): it is theirs
                continue
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
                except ActionRefused:  # another recorded it first
                    continue
                report.append(said)
                continue
            if s.state(now) is not WindowState.ACTIVE:
                continue
            if s.applied:
                gone = ended(s.model_copy(update={"applied": False}), now, REMOVED_OUTSIDE)
                if await self._unless_changed(s, gone):
                    report.append(f"{wid}: no longer in the cluster, marked ended")
                continue
            if (why := guard_tripped(s, latency)) is not None:
                if await self._unless_changed(s, ended(s, now, why)):
                    report.append(f"{wid}: not started, {why}")
                continue
            if start and (started_now := await self._start_by_reconcile(s)) is not None:
                report.append(started_now)
        return report

    async def _unless_changed(self, w: FaultWindow, done: FaultWindow) -> bool:
        """`done` stored if the window is still `w` as read (nobody has ended or started
        it meanwhile); whether it was."""
        changed, _ = await self._change([w.id], lambda x: done if x == w else None)
        return bool(changed)

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
                # unless another ended it meanwhile (a HALT ALL, an `e`): then it is theirs;
                # one ended elsewhere whose fault was still in: unless changed since read
                await self._settle(w, done, unended if w.ended_early_at is None else w.__eq__)
                return said

        more = {"ended_late_at": late.isoformat()} if late is not None else {}

        def outcome(said: str) -> str:  # "applied; the fault on route ...: removed"
            return removed_outcome(said.removeprefix(why))

        return await self._audited_end(w, why, mode, apply, outcome=outcome, **more)

    async def _record_never_started(self, w: FaultWindow, mode: str) -> None:
        """Nothing to take out of the mesh; the store and the audit trail say why it ended."""

        async def apply() -> None:
            done = w.model_copy(update={"end_reason": NEVER_STARTED})
            await self._settle(w, done, lambda x: not x.end_reason, "its end was recorded already")

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

    async def _start_by_reconcile(self, w: FaultWindow) -> str | None:
        """Put in a window whose time has come, unless another has ended or started it
        (None: a HALT ALL that got there first stands, its fault stays out)."""

        async def apply() -> str:
            async with self._lock:
                stored = await self._run(self._db().get, w.id)
                if stored is not None and not startable(stored, self.clock.now()):
                    _refuse_start(stored, self.clock.now())
                what = await self._run(self.mesh.apply, w)
                at = self.clock.now()
                by = self.ctx.actor
                changed, left = await self._change(
                    [w.id], lambda x: started(x, at, by) if startable(x, at) else None
                )
                if not changed:  # ended (or started) by another while its fault went in
                    now = left[0] if left else w
                    if not is_open(now, at):  # ended: its fault must not stay in
                        (await self._run(self.mesh.remove, {w.id})).check()
                    _refuse_start(now, at)
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
        except AlreadyEnded:  # a HALT ALL, an `e`, got there first: it stands
            return None
        except ActionRefused as exc:
            at = self.clock.now()
            why = f"not started: {exc}"
            changed, _ = await self._change(
                [w.id], lambda x: ended(x, at, why) if startable(x, at) else None
            )
            return f"{w.id}: not started, {exc}" if changed else None
        except Exception as exc:  # the API server failed: stays scheduled, next round retries
            return f"{w.id}: could not start yet: {describe_error(exc)}"
        return f"{w.id}: started, {what}"


def _refuse_start(w: FaultWindow, at: datetime) -> None:
    """A start that another's end (AlreadyEnded: who, when, how) or start got ahead of."""
    if not is_open(w, at):
        raise AlreadyEnded(w, at, "not started")
    target = f"{w.spec.namespace}/{w.spec.target_host}"
    raise ActionRefused(f"fault window {w.id} on {target} was started already")
