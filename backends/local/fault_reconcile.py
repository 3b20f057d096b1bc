"""Reconciling local fault windows: record the ones that ended on time, end the ones
whose guards tripped, and start the ones whose time has come (not with `start=False`: a
read-only dashboard's). Each change, as the reconciler (`watchfloor-reconcile`, with who
ran it), is a compare-and-set in the store: another dashboard's reconciler, someone's
`e` or HALT ALL may have got to the window first, and then theirs stands.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from backends.actions import audited
from backends.contracts import ActionRefused, UnauditedRemoval
from backends.fault_ends import AlreadyEnded
from backends.fault_policy import removal_audited
from backends.faults_core import NEVER_STARTED, guard_tripped, is_open, started
from backends.local.runtime import LocalRuntime
from backends.models import FaultWindow, LatencySnapshot, WindowState

RECONCILER = "watchfloor-reconcile"


class LocalReconcile:
    """The reconcile half of LocalFaults, which provides the state declared here."""

    rt: LocalRuntime

    if TYPE_CHECKING:

        async def _load(self, now: datetime) -> list[FaultWindow]: ...

        async def _change(
            self, ids: list[str], new: Callable[[FaultWindow], FaultWindow | None]
        ) -> tuple[list[FaultWindow], list[FaultWindow]]: ...

        async def _close(
            self, w: FaultWindow, why: Callable[[FaultWindow], str]
        ) -> FaultWindow: ...

    async def reconcile(
        self, latency: LatencySnapshot | None = None, *, start: bool = True
    ) -> list[str]:
        """Record windows that ended on time, end active ones whose guards tripped and,
        unless `start` is False, start the windows whose time has come. A window another
        reconciler (or someone's `e`, a HALT ALL) got to first is left as they made it: no
        line for it (its audit outcome says "refused: … already ended by …")."""
        now = self.rt.clock.now()
        mode = "ends and starts" if start else "ends only"
        report = []
        for w in await self._load(now):
            state = w.state(now)
            target = f"{w.spec.namespace}/{w.spec.target_host}"
            if state is WindowState.ENDED and not w.end_reason:
                why = "ended on time" if w.applied else NEVER_STARTED
                ended = why
                apply = self._record_end(w, why, now)
            elif state is WindowState.ACTIVE and (tripped := guard_tripped(w, latency) or ""):
                why = tripped if w.applied else f"not started, {tripped}"
                # the line (a toast, `faults reconcile`) says it ended; `why` is as recorded
                ended = f"ended {'' if w.applied else 'before it started, '}by its {tripped}"
                apply = self._guard_end(w, tripped)
            elif state is WindowState.ACTIVE and not w.applied and start:
                with contextlib.suppress(ActionRefused):  # ended, or started, meanwhile
                    report.append(await self._start(w, target))
                continue
            else:
                continue

            said = f"{w.id} {target}: {ended}"
            try:
                await removal_audited(
                    self.rt.ctx.audit,
                    actor=RECONCILER,
                    action="fault-reconcile-end",
                    target=target,
                    details={
                        "window_id": w.id,
                        "reason": why,
                        "run_by": self.rt.ctx.actor,
                        "mode": mode,
                    },
                    apply=apply,
                )
            except UnauditedRemoval as exc:  # ended all the same: say so, and go on
                said += f"; {exc}"
            except ActionRefused:  # another got there first: it is theirs
                continue
            report.append(said)
        return report

    def _record_end(self, w: FaultWindow, why: str, now: datetime) -> Callable[[], Awaitable[None]]:
        """Why a window that ended on time ended, recorded unless another has already."""

        async def apply() -> None:
            changed, left = await self._change(
                [w.id], lambda x: None if x.end_reason else x.model_copy(update={"end_reason": why})
            )
            if not changed:
                raise AlreadyEnded(left[0] if left else w, now, "its end was recorded already")

        return apply

    def _guard_end(self, w: FaultWindow, tripped: str) -> Callable[[], Awaitable[None]]:
        """A window whose guard tripped, ended unless another has ended it meanwhile."""

        async def apply() -> None:
            await self._close(w, lambda x: tripped if x.applied else f"not started, {tripped}")

        return apply

    async def _start(self, w: FaultWindow, target: str) -> str:
        """Put a window whose time has come into the simulation, audited (fail closed);
        refused (AlreadyEnded, or started by another reconciler) if it is not due now."""

        async def apply() -> None:
            at = self.rt.clock.now()
            by = self.rt.ctx.actor
            changed, left = await self._change(
                [w.id],
                lambda x: (
                    started(x, at, by)
                    if x.state(at) is WindowState.ACTIVE and not x.applied
                    else None
                ),
            )
            if changed:
                return
            stored = left[0] if left else w
            if not is_open(stored, at):
                raise AlreadyEnded(stored, at, "not started")
            raise ActionRefused(f"fault window {w.id} on {target} was started already")

        await audited(
            self.rt.ctx.audit,
            actor=RECONCILER,
            action="fault-start",
            target=target,
            details={"window_id": w.id, "owner": w.owner, "run_by": self.rt.ctx.actor},
            apply=apply,
        )
        return f"{w.id} {target}: started"
