"""Local break-glass grants on the SQLite store. Expiry is the store's job, not the UI's.

grant: validate -> policy (breakglass.rego) -> step-up -> audit request (fail closed)
-> insert -> audit outcome. Every read treats expired grants as inactive, and each poll
reaps them, so a grant stops working at its expiry whether or not a dashboard is open.
Each poll also lists the grants that ended lately (`GrantsSnapshot.ended`): who revoked
one from another terminal and why, or that it ran out. And each grant listed is checked
against the audit trail (backends.local.grant_audit): one not as the trail records it
carries its `audit_problem`. The same read of the trail's new records brings the alert
acks made lately (`GrantsSnapshot.acks`): an ack from another dashboard shows within a poll.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from backends.actions import audited
from backends.breakglass import BreakGlassGate, validate_reason
from backends.contracts import ActionRefused
from backends.fault_times import clock
from backends.local.runtime import LocalRuntime
from backends.models import (
    Actor,
    Grant,
    GrantRequest,
    GrantsSnapshot,
    HealthState,
    SourceHealth,
    TrailAck,
)
from backends.polling import poll

# a poll also reports the grants that ended this long back: a dashboard that sees one
# drop out of the list can say who revoked it and why (the timeline, the revoke dialog);
# and the alert acks made as long back (another dashboard's, shown within a poll)
ENDED_WINDOW = timedelta(minutes=10)


class LocalGrants:
    name = "local"

    def __init__(self, rt: LocalRuntime) -> None:
        self.rt = rt
        self.gate = BreakGlassGate(
            rt.ctx.stepup,
            actor_roles=rt.options.actor_roles,
            default_roles=rt.options.default_actor_roles,
            enabled_roles=rt.options.roles,
        )

    async def snapshot(self) -> GrantsSnapshot:
        await self.rt.ensure_demo_grants()
        now = self.rt.clock.now()
        store = self.rt.store
        # each grant checked against the audit trail, when it is this store's
        # (backends.local.grant_audit): a grant edited or inserted by hand is marked; and
        # the alert acks made lately, from the same read of the trail's new records
        acks: tuple[TrailAck, ...] = ()
        if self._audited_here():
            checked = store.reap_and_list_checked
            grants, ended, acks = await asyncio.to_thread(checked, now, now - ENDED_WINDOW)
        else:
            grants, ended = await asyncio.to_thread(store.reap_and_list, now, now - ENDED_WINDOW)
        health = SourceHealth(
            state=HealthState.OK, last_ok_at=now, interval_s=self.rt.ctx.interval_s
        )
        return GrantsSnapshot(
            observed_at=now,
            health=health,
            source=self.name,
            grants=tuple(grants),
            ended=tuple(ended),
            acks=acks,
        )

    def _audited_here(self) -> bool:
        """Whether the audit sink is the local one on this store (its grants are in it)."""
        return getattr(self.rt.ctx.audit, "rt", None) is self.rt

    def watch(self) -> AsyncIterator[GrantsSnapshot]:
        return poll(
            GrantsSnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.rt.ctx.interval_s,
            clock=self.rt.clock,
        )

    async def grant(self, req: GrantRequest, actor: Actor) -> Grant:
        cap = timedelta(minutes=self.rt.options.max_ttl_minutes)  # on top of the policy's
        await self.gate.authorize(req, actor, max_ttl=cap)
        try:
            return await self._insert(req, actor)
        except Exception:  # nothing was granted (the store or the audit trail failed)
            await self.gate.refund(actor, req.step_up_code)
            raise

    async def _insert(self, req: GrantRequest, actor: Actor) -> Grant:
        now = self.rt.clock.now()
        g = Grant(
            id=uuid.uuid4().hex[:12],
            subject=req.subject,
            role=req.role,
            reason=" ".join(req.reason.split()),
            granted_by=actor.name,
            granted_at=now,
            expires_at=now + req.ttl,
        )

        async def apply() -> Grant:
            await asyncio.to_thread(self.rt.store.insert_grant, g)
            return g

        return await audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="grant",
            target=f"{g.subject}:{g.role}",
            details={
                "grant_id": g.id,
                "reason": g.reason,
                "ttl_s": str(int(req.ttl.total_seconds())),
                "expires_at": g.expires_at.isoformat(),
                "step_up": "verified",
            },
            apply=apply,
        )

    async def grantable_roles(self, actor: Actor) -> tuple[str, ...]:
        return await asyncio.to_thread(self.gate.grantable_roles, actor)

    async def revoke(self, grant_id: str, actor: Actor, reason: str) -> None:
        reason = validate_reason(reason, "a revoke")
        now = self.rt.clock.now()
        g = await asyncio.to_thread(self.rt.store.get_active, grant_id, now)
        if g is None:
            raise ActionRefused(await self._not_active(grant_id, now))

        async def apply() -> None:
            at = self.rt.clock.now()
            if not await asyncio.to_thread(self.rt.store.revoke, grant_id, actor.name, reason, at):
                # another got there first (alice's revoke, its expiry): audited in words
                raise ActionRefused(await self._no_longer(grant_id, at))

        await audited(
            self.rt.ctx.audit,
            actor=actor.name,
            action="revoke",
            target=f"{g.subject}:{g.role}",
            details={"grant_id": grant_id, "reason": reason},
            apply=apply,
        )

    async def _not_active(self, grant_id: str, now: datetime) -> str:
        """Why there is nothing to revoke: which way the grant ended, or that there is none."""
        end = await asyncio.to_thread(self.rt.store.ended, grant_id, now)
        if end is None:
            return f"no grant with id {grant_id!r}"
        at = clock(end.at, now.astimezone(UTC).date())  # not today: with its date
        if end.how == "expired":
            return f"grant {grant_id} expired at {at}Z: nothing to revoke"
        return (
            f"grant {grant_id} was already revoked by {end.revoked_by} at {at}Z"
            f" ({end.reason}): nothing to revoke"
        )

    async def _no_longer(self, grant_id: str, now: datetime) -> str:
        """A grant that ended between a revoke's read and its write, and how: "grant ID
        was no longer active (revoked by alice at 09:00:05Z)"."""
        end = await asyncio.to_thread(self.rt.store.ended, grant_id, now)
        said = f"grant {grant_id} was no longer active"
        if end is None:
            return said
        at = clock(end.at, now.astimezone(UTC).date())  # not today: with its date
        how = f"revoked by {end.revoked_by}" if end.how == "revoked" else "expired"
        return f"{said} ({how} at {at}Z)"

    async def aclose(self) -> None:
        self.rt.close()
