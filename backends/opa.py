"""The OPA adapter for break-glass grants: grants live in OPA's data API.

    PUT    /v1/data/breakglass/grants/{id}   {"subject", "role", ..., "expires_at_ns"}
    DELETE /v1/data/breakglass/grants/{id}   revoke (and the reaper, after expiry)
    GET    /v1/data/breakglass/grants        the pane's list

Its own data root (not a bundle path, which OPA would refuse to write). policy/abac.rego
honours a grant only while `time.now_ns()` is before `expires_at_ns`, on OPA's clock, so
a grant stops working at its expiry even if nothing deletes it. Clock skew never extends
a grant: the expiry pushed is moved earlier by however far OPA's clock (its `Date`
header) is behind ours, minus a margin, and never later.

Reads (the pane's list, OPA's /health for the skew, the grant a revoke reads first) go
through the shared ClientPolicy: an adaptive timeout within [0.5 s, timeout_s] and a 5xx or
transport error retried once within the retry budget. Writes (PUT, DELETE) are sent once
with the ceiling as their timeout: a lost answer to a PUT is not replayed blindly.

httpx is imported when the adapter first talks to OPA, not when the plugin is listed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from backends.actions import audited
from backends.breakglass import BreakGlassGate, validate_reason
from backends.contracts import ActionRefused
from backends.models import Actor, Grant, GrantRequest, GrantsSnapshot, HealthState, SourceHealth
from backends.opa_ended import EndedGrants, expired, revoked
from backends.option_types import HttpUrl
from backends.polling import poll
from backends.registry import BackendContext, BackendPlugin
from backends.resilience import RETRY_STATUSES, ClientPolicy
from backends.transport_errors import httpx_timeout, httpx_transport

if TYPE_CHECKING:
    import httpx

DATA_PATH = "/v1/data/breakglass/grants"
NS = 1_000_000_000


class OpaOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: HttpUrl = "http://127.0.0.1:8181"
    timeout_s: float = Field(default=2.0, gt=0, le=60)  # the adaptive timeout's ceiling
    token: str = Field(default="", repr=False)  # Authorization: Bearer, if OPA wants one
    skew_margin_s: float = Field(default=1.0, ge=0, le=300)
    reap: bool = True  # DELETE grants past their expiry (OPA ignores them anyway)
    max_ttl_minutes: int = Field(default=240, gt=0, le=24 * 60)
    actor_roles: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    default_actor_roles: tuple[str, ...] = ("oncall",)


def to_ns(dt: datetime) -> int:
    return int(dt.timestamp()) * NS + dt.microsecond * 1000


def from_ns(ns: int) -> datetime:
    return datetime.fromtimestamp(ns // NS, UTC) + timedelta(microseconds=(ns % NS) // 1000)


def _retryable(exc: BaseException) -> bool:
    import httpx

    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in RETRY_STATUSES
    return httpx_transport(exc)


def grant_doc(g: Grant, expires_at_ns: int) -> dict[str, Any]:
    return {
        "subject": g.subject,
        "role": g.role,
        "reason": g.reason,
        "granted_by": g.granted_by,
        "granted_at_ns": to_ns(g.granted_at),
        "expires_at_ns": expires_at_ns,
    }


def grant_of(grant_id: str, doc: dict[str, Any]) -> Grant:
    return Grant(
        id=grant_id,
        subject=str(doc["subject"]),
        role=str(doc["role"]),
        reason=str(doc.get("reason", "")),
        granted_by=str(doc.get("granted_by", "?")),
        granted_at=from_ns(int(doc.get("granted_at_ns", doc["expires_at_ns"]))),
        expires_at=from_ns(int(doc["expires_at_ns"])),
    )


class OpaGrants:
    name = "opa"

    def __init__(self, options: OpaOptions, ctx: BackendContext) -> None:
        self.options = options
        self.ctx = ctx
        self.clock = ctx.clock
        self.gate = BreakGlassGate(
            ctx.stepup,
            actor_roles=options.actor_roles,
            default_roles=options.default_actor_roles,
        )
        self._http: httpx.AsyncClient | None = None
        self.client_policy = ClientPolicy.for_backend(options.timeout_s)
        self.ends = EndedGrants(self.name)  # how the grants gone from the listing ended

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx

            headers = (
                {"Authorization": f"Bearer {self.options.token}"} if self.options.token else {}
            )
            self._http = httpx.AsyncClient(
                base_url=self.options.url.rstrip("/"),
                timeout=self.client_policy.write_timeout_s,
                headers=headers,
            )
        return self._http

    async def _read(self, path: str) -> httpx.Response:
        """A GET under the client policy; a 5xx raises (after the retries it was worth)."""

        async def attempt(limit: float) -> httpx.Response:
            resp = await self._client().get(path, timeout=limit)
            if resp.status_code in RETRY_STATUSES:
                resp.raise_for_status()
            return resp

        return await self.client_policy.call(
            attempt, retryable=_retryable, is_timeout=httpx_timeout
        )

    def _skew(self, resp: httpx.Response) -> timedelta:
        """OPA's clock minus ours (never more than the truth: the Date header is
        truncated to the second and was stamped before we received it)."""
        date = resp.headers.get("date")
        if not date:
            return timedelta(0)
        try:
            theirs = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return timedelta(0)
        return theirs - self.clock.now()

    async def snapshot(self) -> GrantsSnapshot:
        resp = await self._read(DATA_PATH)
        resp.raise_for_status()
        docs = resp.json().get("result") or {}
        now = self.clock.now()
        grants = []
        for gid, doc in sorted(docs.items()):
            g = grant_of(gid, doc)
            if self.options.reap and g.expired(now) and await self._delete(gid):
                self.ends.ended_here(expired(g, "reaper"))
                continue  # reaped; if the DELETE failed it stays, red, with an alert
            grants.append(g)
        grants.sort(key=lambda g: (g.expires_at, g.id))
        trail = await self.ends.read(self.ctx.audit) if self.ends.needs_trail(grants, now) else None
        health = SourceHealth(state=HealthState.OK, last_ok_at=now, interval_s=self.ctx.interval_s)
        return GrantsSnapshot(
            observed_at=now,
            health=health,
            source=self.name,
            grants=tuple(grants),
            ended=self.ends.update(grants, now, trail),
        )

    async def _delete(self, grant_id: str) -> bool:
        try:
            resp = await self._client().delete(f"{DATA_PATH}/{quote(grant_id, safe='')}")
        except Exception:
            return False
        return resp.status_code in (204, 404)

    def watch(self) -> AsyncIterator[GrantsSnapshot]:
        return poll(
            GrantsSnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.ctx.interval_s,
            clock=self.clock,
        )

    async def grant(self, req: GrantRequest, actor: Actor) -> Grant:
        cap = timedelta(minutes=self.options.max_ttl_minutes)  # on top of the policy's
        await self.gate.authorize(req, actor, max_ttl=cap)
        stages: list[str] = []  # "sent", then "refused" or "applied"
        try:
            return await self._push(req, actor, stages)
        except Exception:
            # nothing was granted: OPA was not asked (down, the audit refused) or said no.
            # A PUT with no answer may have landed: that code stays spent.
            if stages in ([], ["sent", "refused"]):
                await self.gate.refund(actor, req.step_up_code)
            raise

    async def _push(self, req: GrantRequest, actor: Actor, stages: list[str]) -> Grant:
        health = await self._read("/health")
        skew = min(timedelta(0), self._skew(health))
        now = self.clock.now()
        g = Grant(
            id=uuid.uuid4().hex[:12],
            subject=req.subject,
            role=req.role,
            reason=" ".join(req.reason.split()),
            granted_by=actor.name,
            granted_at=now,
            expires_at=now + req.ttl,
        )
        pushed = g.expires_at + skew - timedelta(seconds=self.options.skew_margin_s)
        doc = grant_doc(g, to_ns(pushed))

        async def apply() -> Grant:
            stages.append("sent")
            resp = await self._client().put(
                f"{DATA_PATH}/{g.id}", json=doc, headers={"If-None-Match": "*"}
            )
            if resp.status_code not in (200, 204):
                stages.append("refused")
                raise ActionRefused(f"OPA refused the grant: HTTP {resp.status_code} {resp.text}")
            stages.append("applied")
            return g

        return await audited(
            self.ctx.audit,
            actor=actor.name,
            action="grant",
            target=f"{g.subject}:{g.role}",
            details={
                "grant_id": g.id,
                "reason": g.reason,
                "ttl_s": str(int(req.ttl.total_seconds())),
                "expires_at": g.expires_at.isoformat(),
                "opa_expires_at_ns": str(doc["expires_at_ns"]),
                "step_up": "verified",
                "backend": "opa",
            },
            apply=apply,
        )

    async def grantable_roles(self, actor: Actor) -> tuple[str, ...]:
        return await asyncio.to_thread(self.gate.grantable_roles, actor)

    async def revoke(self, grant_id: str, actor: Actor, reason: str) -> None:
        reason = validate_reason(reason, "a revoke")
        path = f"{DATA_PATH}/{quote(grant_id, safe='')}"
        resp = await self._read(path)
        resp.raise_for_status()
        doc = resp.json().get("result")
        if not doc:
            raise ActionRefused(f"no active grant with id {grant_id!r}")
        g = grant_of(grant_id, doc)

        async def apply() -> None:
            resp = await self._client().delete(path)
            if resp.status_code == 404:
                raise ActionRefused(f"grant {grant_id!r} was no longer present")
            resp.raise_for_status()
            self.ends.ended_here(revoked(g, actor.name, reason, self.clock.now()))

        await audited(
            self.ctx.audit,
            actor=actor.name,
            action="revoke",
            target=f"{g.subject}:{g.role}",
            details={"grant_id": grant_id, "reason": reason, "backend": "opa"},
            apply=apply,
        )

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await asyncio.shield(http.aclose())


def _grants(options: BaseModel, ctx: BackendContext) -> Any:
    assert isinstance(options, OpaOptions)
    return OpaGrants(options, ctx)


plugin = BackendPlugin(
    name="opa",
    description="break-glass grants in OPA's data API (data.breakglass.grants)",
    factories={"grants": _grants},
    options_model=OpaOptions,
    audits_itself=("grants",),  # BreakGlassGate, then backends.actions.audited
)
