"""A plugin's FaultSource with the core's path around its actions, as the built-ins run it.

schedule: the limits (backends/faults_core.py: protected namespaces, percentage and
duration caps, names) -> faults.rego -> audit the request (fail closed) -> the plugin's
`schedule` -> audit the outcome. end and HALT ALL: faults.rego (which never holds a
removal back when it cannot be evaluated) -> `removal_audited`: taking faults out does not
wait on the audit trail, and says so when it went unaudited (UnauditedRemoval).

The limits are the plugin source's own `limits` (a faults_core.Limits) if it has them,
else the defaults; the always-protected namespaces are added either way. The records name
the windows as the built-ins' do (`window_id`, when it starts and ends, as the plugin
scheduled it; a HALT ALL's `windows`), so the timeline and the report rebuilt from the
trail follow them. A plugin's `reconcile` is audited too: backends/guarded_reconcile.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from backends.actions import audited
from backends.audit_text import schedule_outcome
from backends.fault_ends import removal_reason
from backends.fault_policy import FaultPolicy, removal_audited
from backends.faults_core import DEFAULT_PROTECTED, Limits, check, is_open
from backends.guarded_base import Guarded
from backends.guarded_reconcile import AuditedReconcile
from backends.models import Actor, FaultRequest, FaultsSnapshot, FaultWindow
from backends.registry import BackendContext


class GuardedFaults(Guarded):
    def __init__(self, inner: Any, ctx: BackendContext) -> None:
        super().__init__(inner, ctx)
        own = getattr(inner, "limits", None)
        limits = own if isinstance(own, Limits) else Limits()
        protected = limits.protected_namespaces | frozenset(DEFAULT_PROTECTED)
        self.limits = replace(limits, protected_namespaces=protected)  # the form shows them
        self.policy = FaultPolicy(self.limits)
        self.scheduled: dict[str, FaultWindow] = {}  # what schedule() returned, by id
        if callable(getattr(inner, "reconcile", None)):
            # on the instance: isinstance(FaultReconciler) finds it on any Python (3.12
            # does not ask __getattr__); none when the plugin has none
            self.reconcile = AuditedReconcile(inner, ctx, self.name).reconcile

    async def schedule(self, req: FaultRequest, actor: Actor) -> FaultWindow:
        check(req, self.limits)
        await self.policy.check("schedule", actor, req.reason, req)
        starts = self.ctx.clock.now() + req.start_in

        async def apply() -> FaultWindow:
            w = await self.inner.schedule(req, actor)
            if not isinstance(w, FaultWindow):
                raise self.not_a("schedule()", w, FaultWindow)
            self.scheduled[w.id] = w
            return w

        return await audited(
            self.ctx.audit,
            actor=actor.name,
            action="fault-schedule",
            target=f"{req.spec.namespace}/{req.spec.target_host}",
            details={
                "reason": req.reason,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + req.duration).isoformat(),
                "backend": self.name,
                "checked_by": "watchfloor",
            },
            apply=apply,
            outcome=schedule_outcome,  # "applied" only if its fault went in at once
            outcome_details=scheduled_details,
        )

    async def end(self, window_id: str, actor: Actor, reason: str) -> None:
        reason = removal_reason(reason)
        await self.policy.check("end", actor, reason)

        async def apply() -> None:
            await self.inner.end(window_id, actor, reason)
            self.scheduled.pop(window_id, None)  # HALT ALL ends it no more

        await removal_audited(
            self.ctx.audit,
            actor=actor.name,
            action="fault-end",
            target=self._target(window_id),
            details={
                "window_id": window_id,
                "reason": reason,
                "backend": self.name,
                "checked_by": "watchfloor",
            },
            apply=apply,
        )

    async def halt_all(self, actor: Actor, reason: str) -> int:
        reason = removal_reason(reason)
        await self.policy.check("halt", actor, reason)

        async def apply() -> int:
            n = await self.inner.halt_all(actor, reason)
            if not isinstance(n, int):
                raise self.not_a("halt_all()", n, int)
            self.scheduled.clear()
            return n

        return await removal_audited(
            self.ctx.audit,
            actor=actor.name,
            action="fault-halt-all",
            target="*",
            details={
                "reason": reason,
                "windows": ",".join(self._open_ids()),
                "backend": self.name,
                "checked_by": "watchfloor",
            },
            apply=apply,
        )

    def _known(self) -> dict[str, FaultWindow]:
        """The windows as the last snapshot lists them, and those this wrapper scheduled."""
        listed = self.last.windows if isinstance(self.last, FaultsSnapshot) else ()
        return {**self.scheduled, **{w.id: w for w in listed}}

    def _open_ids(self) -> list[str]:
        """The windows HALT ALL ends, as far as known: those not ended now."""
        now = self.ctx.clock.now()
        return [wid for wid, w in self._known().items() if is_open(w, now)]

    def _target(self, window_id: str) -> str:
        """namespace/host, as the window is known; else its id."""
        w = self._known().get(window_id)
        return f"{w.spec.namespace}/{w.spec.target_host}" if w else f"window {window_id}"


def scheduled_details(w: FaultWindow) -> dict[str, str]:
    """What a schedule's outcome record adds: which window, when it starts and ends (as
    the local backend records them on its request: there the id is chosen before)."""
    return {
        "window_id": w.id,
        "starts_at": w.starts_at.isoformat(),
        "ends_at": w.ends_at.isoformat(),
    }
