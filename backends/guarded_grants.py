"""A plugin's GrantSource with the core's break-glass path around its actions.

grant: validate -> policy (policy/breakglass.rego) -> the TTL cap -> step-up (the
BreakGlassGate the built-ins use) -> audit the request (fail closed) -> the plugin's
`grant` -> audit the outcome. revoke: a reason -> audit -> the plugin's `revoke` -> outcome.
The plugin gets the request with its step-up code blanked: the core has verified (spent) it.
The records name the grant as the built-ins' do (`grant_id`, and the grant's `expires_at`
on its outcome: the plugin chose them), so the timeline rebuilt from the trail after a
restart ties a revoke, or an expiry, to its grant (backends/audit_history.py).

Who has which role comes from the plugin's options when they have the built-ins' fields
(`actor_roles`, `default_actor_roles`, `roles`, `max_ttl_minutes`); else everyone counts as
`oncall` (as on the built-ins by default), every role the policy knows may be asked for,
and the policy's per-role caps are the only TTL caps.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from backends.actions import audited
from backends.breakglass import BreakGlassGate, validate_reason
from backends.contracts import while_applying
from backends.guarded_base import Guarded
from backends.models import Actor, Grant, GrantRequest, GrantsSnapshot
from backends.registry import BackendContext

DEFAULT_ROLES = ("oncall",)  # as the built-ins' default_actor_roles


def _option(options: object, name: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = getattr(options, name, default)
    return value if isinstance(value, kind) else default


class GuardedGrants(Guarded):
    def __init__(self, inner: Any, options: object, ctx: BackendContext) -> None:
        super().__init__(inner, ctx)
        self.gate = BreakGlassGate(
            ctx.stepup,
            actor_roles=_option(options, "actor_roles", dict, {}),
            default_roles=_option(options, "default_actor_roles", tuple, DEFAULT_ROLES),
            enabled_roles=_option(options, "roles", tuple, None),
        )
        minutes = _option(options, "max_ttl_minutes", int, 0)
        self.max_ttl = timedelta(minutes=minutes) if minutes > 0 else None
        self.granted: dict[str, Grant] = {}  # what grant() returned, by id: a revoke's target

    @property
    def core_checks(self) -> str:
        """What the grant dialog promises, as it applies to this plugin."""
        roles = ", ".join(self.gate.roles_of(Actor(name=self.ctx.actor))) or "no role"
        return (
            f"The {self.name} backend is a plugin: watchfloor checks a grant against its own"
            f" policy (breakglass.rego; {self.ctx.actor} counts as {roles}), asks for a"
            " step-up code, and records it in the audit trail before the plugin applies it."
        )

    async def grantable_roles(self, actor: Actor) -> tuple[str, ...]:
        """contracts.GrantRoles: what the core's policy lets `actor` grant."""
        return await asyncio.to_thread(self.gate.grantable_roles, actor)

    async def grant(self, req: GrantRequest, actor: Actor) -> Grant:
        await self.gate.authorize(req, actor, max_ttl=self.max_ttl)
        reason = " ".join(req.reason.split())
        spent = req.model_copy(update={"step_up_code": "", "reason": reason})

        async def apply() -> Grant:
            g = await self.inner.grant(spent, actor)
            if not isinstance(g, Grant):
                raise self.not_a("grant()", g, Grant)
            self.granted[g.id] = g
            return g

        try:
            return await audited(
                self.ctx.audit,
                actor=actor.name,
                action="grant",
                target=f"{req.subject}:{req.role}",
                details={
                    "reason": reason,
                    "ttl_s": str(int(req.ttl.total_seconds())),
                    "step_up": "verified",
                    "backend": self.name,
                    "checked_by": "watchfloor",
                },
                apply=apply,
                outcome_details=granted_details,
            )
        except Exception as exc:
            if not while_applying(exc):  # nothing was granted: the code may be used again
                await self.gate.refund(actor, req.step_up_code)
            raise

    async def revoke(self, grant_id: str, actor: Actor, reason: str) -> None:
        reason = validate_reason(reason, "a revoke")

        async def apply() -> None:
            await self.inner.revoke(grant_id, actor, reason)

        await audited(
            self.ctx.audit,
            actor=actor.name,
            action="revoke",
            target=self._target(grant_id),
            details={
                "grant_id": grant_id,
                "reason": reason,
                "backend": self.name,
                "checked_by": "watchfloor",
            },
            apply=apply,
        )

    def _target(self, grant_id: str) -> str:
        """subject:role, as the last snapshot lists the grant (or as this wrapper granted
        it); else its id."""
        listed = self.last.grants if isinstance(self.last, GrantsSnapshot) else ()
        for g in (*listed, *self.granted.values()):
            if g.id == grant_id:
                return f"{g.subject}:{g.role}"
        return f"grant {grant_id}"


def granted_details(g: Grant) -> dict[str, str]:
    """What a grant's outcome record adds: which grant, and until when (as the local
    backend records them on its request: there the id is chosen before it applies)."""
    return {"grant_id": g.id, "expires_at": g.expires_at.isoformat()}
