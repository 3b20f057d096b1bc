"""The break-glass gate every grant adapter passes through before it audits and applies:

validate the request -> policy check (policy/breakglass.rego, embedded Rego) -> step-up.

Adapters (local store, OPA data API) call `authorize` and then `backends.actions.audited`.
The step-up code is checked last, so a request the policy refuses never burns a code,
and it is never written anywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from backends.contracts import ActionRefused, StepUpVerifier
from backends.grant_rules import MIN_TTL, reason_problem
from backends.models import Actor, GrantRequest
from backends.policy import PolicyEngine, PolicyError, policy_path
from backends.text_safe import squeezed, unsafe_in

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")
ROLE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
ENTRYPOINT = "breakglass/decision"
ROLES_ENTRYPOINT = "breakglass/roles"  # every grantable role (when none are configured)
PROBE_SUBJECT = "someone-else"  # asking which roles an actor may grant: not to themselves
PROBE_TTL_S = 60  # under every role's cap


def validate_reason(reason: str, what: str = "a grant") -> str:
    """The reason squeezed, or ActionRefused saying what it must be (grant_rules)."""
    if problem := reason_problem(reason):
        raise ActionRefused(f"{what} needs a reason: {problem}", field="reason")
    text = squeezed(reason)
    if why := unsafe_in(text):
        raise ActionRefused(f"{what}'s reason {why}", field="reason")
    return text


def validate_request(req: GrantRequest) -> None:
    if not NAME.match(req.subject):
        raise ActionRefused(
            f"subject {req.subject!r} is not a valid user name or email", field="subject"
        )
    if not ROLE.match(req.role):
        raise ActionRefused(f"role {req.role!r} is not a valid role name", field="role")
    validate_reason(req.reason)
    if req.ttl < MIN_TTL:  # the policy is given whole seconds: 0.5s would be 0
        raise ActionRefused(f"TTL must be at least {MIN_TTL.seconds}s", field="ttl")


def policy_refusal(reasons: Sequence[str]) -> ActionRefused:
    """The policy's deny reasons as one refusal, about the request field the first names,
    with its seconds as people write them ("TTL 3h is over the cap of 2h for db-reader")."""
    why = "; ".join(_SECONDS.sub(_human, str(r)) for r in reasons) or "the policy did not allow it"
    first = str(reasons[0]) if reasons else ""
    field = (
        "ttl" if first.startswith("TTL") else "role" if "role" in first or "grant" in first else ""
    )
    return ActionRefused(f"grant refused by policy: {why}", field=field)


_SECONDS = re.compile(r"\b(\d+)s\b")


def _human(m: re.Match[str]) -> str:
    s = int(m.group(1))
    for unit, size in (("h", 3600), ("m", 60)):
        if s >= size and s % size == 0:
            return f"{s // size}{unit}"
    return f"{s}s"


class BreakGlassGate:
    def __init__(
        self,
        stepup: StepUpVerifier | None,
        *,
        actor_roles: Mapping[str, Sequence[str]],
        default_roles: Sequence[str],
        enabled_roles: Sequence[str] | None = None,
        policy_files: Sequence[Path] | None = None,
    ) -> None:
        self.stepup = stepup
        self.actor_roles = {k: tuple(v) for k, v in actor_roles.items()}
        self.default_roles = tuple(default_roles)
        self.enabled_roles = tuple(enabled_roles) if enabled_roles is not None else None
        self.policy_files = list(policy_files or [policy_path("breakglass.rego")])
        self._engine: PolicyEngine | None = None
        self._engine_lock = threading.Lock()

    async def refund(self, actor: Actor, code: str) -> None:
        """After `authorize`, the grant failed before it applied: give the step-up code
        back (a verifier that can), so the retry once the backend is back is not refused
        as "already used". Never raises: the failure itself is what the caller reports."""
        refund = getattr(self.stepup, "refund", None)
        if refund is None:
            return
        with contextlib.suppress(Exception):
            await refund(actor.name, code)

    def roles_of(self, actor: Actor) -> tuple[str, ...]:
        """The actor's own roles, else the configured ones, else the default."""
        if actor.roles:
            return actor.roles
        return self.actor_roles.get(actor.name, self.default_roles)

    def _policy(self) -> PolicyEngine:
        with self._engine_lock:
            if self._engine is None:
                self._engine = PolicyEngine(self.policy_files)
            return self._engine

    def policy_input(self, req: GrantRequest, actor: Actor) -> dict[str, Any]:
        return {
            "actor": {"name": actor.name, "roles": list(self.roles_of(actor))},
            "subject": req.subject,
            "role": req.role,
            "ttl_s": int(req.ttl.total_seconds()),
        }

    def check_policy(self, req: GrantRequest, actor: Actor) -> None:
        """Synchronous: validation and the Rego decision. Raises ActionRefused."""
        validate_request(req)
        try:
            decision = self._policy().evaluate(ENTRYPOINT, self.policy_input(req, actor))
        except PolicyError as exc:
            raise ActionRefused(f"grant refused: policy not evaluated ({exc})") from exc
        if not isinstance(decision, dict) or decision.get("allow") is not True:
            reasons = decision.get("deny") if isinstance(decision, dict) else None
            raise policy_refusal(list(reasons or ()))
        if self.enabled_roles is not None and req.role not in self.enabled_roles:
            raise ActionRefused(
                f"role {req.role} is not enabled on this backend; enabled: "
                f"{', '.join(self.enabled_roles)}",
                field="role",
            )

    def grantable_roles(self, actor: Actor) -> tuple[str, ...]:
        """The roles `actor` may grant (to someone else, for a minute), as the policy says:
        asked role by role, with no step-up code (nothing is granted, nothing audited).
        The backend's enabled roles in their order, else the policy's. Raises PolicyError."""
        roles = self.enabled_roles
        if roles is None:
            listed = self._policy().value(ROLES_ENTRYPOINT)
            roles = tuple(str(r) for r in listed) if isinstance(listed, list) else ()
        allowed = []
        for role in roles:
            ttl = timedelta(seconds=PROBE_TTL_S)
            req = GrantRequest(subject=PROBE_SUBJECT, role=role, reason="-" * 10, ttl=ttl)
            decision = self._policy().evaluate(ENTRYPOINT, self.policy_input(req, actor))
            if isinstance(decision, dict) and decision.get("allow") is True:
                allowed.append(role)
        return tuple(allowed)

    async def authorize(
        self, req: GrantRequest, actor: Actor, *, max_ttl: timedelta | None = None
    ) -> None:
        """validate -> policy -> the backend's hard TTL cap -> step-up. Raises ActionRefused;
        nothing is written on refusal (only an accepted step-up code is spent). The policy
        comes before the hard cap: its per-role cap is the tighter one to tell the user."""
        await asyncio.to_thread(self.check_policy, req, actor)
        if max_ttl is not None and req.ttl > max_ttl:
            raise ActionRefused(
                _SECONDS.sub(
                    _human,
                    f"TTL {int(req.ttl.total_seconds())}s is over this backend's cap of "
                    f"{int(max_ttl.total_seconds())}s for any role",
                ),
                field="ttl",
            )
        if self.stepup is None:
            raise ActionRefused("grant refused: no step-up verifier is configured")
        if not req.step_up_code.strip():
            raise ActionRefused("grant refused: a step-up code is required", field="step_up_code")
        await self.stepup.verify(actor.name, req.step_up_code)
