"""A plugin's ReleaseSource with the core's path around its rollback rehearsal.

trigger_rehearsal: the reason (one line, MIN_REASON characters) and a named actor, none
while the source's last snapshot shows one queued or running (backends/rehearsals.py, as
the built-ins check) -> audit the request (fail closed) -> the plugin's
`trigger_rehearsal` -> audit the outcome. What the plugin raises while it runs carries
`while_applying`: it may have started one, and the dashboard says so.
"""

from __future__ import annotations

from backends.actions import audited
from backends.guarded_base import Guarded
from backends.models import Actor, ReleaseSnapshot
from backends.rehearsals import check_request, refuse_if_running, rehearsal_reason

TARGET = "release-train"  # the audit target, as the local backend's


class GuardedRelease(Guarded):
    async def trigger_rehearsal(self, actor: Actor, reason: str) -> None:
        reason = rehearsal_reason(reason)
        check_request(actor, reason)
        snap = self.last if isinstance(self.last, ReleaseSnapshot) else None
        refuse_if_running(snap.rehearsal if snap is not None else None)
        # what it rolls back and where, as the dialog named them
        details = {
            "reason": reason,
            "target": (snap.rehearsal_target if snap else "") or f"the {self.name} backend",
            "backend": self.name,
            "checked_by": "watchfloor",
        }
        if snap is not None and snap.release is not None:
            details["release"] = snap.release.tag

        async def apply() -> None:
            await self.inner.trigger_rehearsal(actor, reason)

        await audited(
            self.ctx.audit,
            actor=actor.name,
            action="rollback-rehearsal",
            target=TARGET,
            details=details,
            apply=apply,
        )
