"""The faults.rego check every fault action passes (after validation, before the audit),
and the audit path of taking faults out (`removal_audited`).

The engine is compiled on first use, in a thread, and shared by the process. A policy
that cannot be loaded or evaluated refuses the action (fail closed), except HALT ALL and
ending a window: taking faults *out* must never depend on the policy engine working.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from backends.actions import APPLIED, audited
from backends.contracts import ActionRefused, AuditSink, UnauditedRemoval
from backends.faults_core import Limits, policy_input
from backends.models import Actor, FaultRequest
from backends.policy import PolicyEngine, PolicyError, policy_path
from backends.polling import describe_error

ENTRYPOINT = "faults/decision"
T = TypeVar("T")
log = logging.getLogger("watchfloor.audit")


class FaultPolicy:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._engine: PolicyEngine | None = None
        self._lock = threading.Lock()

    def _get(self) -> PolicyEngine:
        with self._lock:
            if self._engine is None:
                self._engine = PolicyEngine(
                    [policy_path("faults.rego")], {"fault_limits": self.limits.policy_data()}
                )
            return self._engine

    def _decide(self, doc: dict[str, Any]) -> Any:
        return self._get().evaluate(ENTRYPOINT, doc)

    async def check(
        self, action: str, actor: Actor, reason: str, req: FaultRequest | None = None
    ) -> None:
        doc = policy_input(action, actor, reason, req)
        try:
            decision = await asyncio.to_thread(self._decide, doc)
        except (PolicyError, OSError, ImportError) as exc:
            if action in ("end", "halt"):
                return  # removing faults never waits on the policy engine
            raise ActionRefused(f"fault policy unavailable, refusing: {exc}") from exc
        if not isinstance(decision, dict) or decision.get("allow") is not True:
            deny = decision.get("deny", []) if isinstance(decision, dict) else []
            why = "; ".join(sorted(str(d) for d in deny)) or "no decision"
            raise ActionRefused(f"refused by policy faults.rego: {why}")


async def removal_audited(
    audit: AuditSink | None,
    *,
    actor: str,
    action: str,
    target: str,
    details: dict[str, str],
    apply: Callable[[], Awaitable[T]],
    outcome: Callable[[T], str] | None = None,
    outcome_details: Callable[[T], dict[str, str]] | None = None,
) -> T:
    """`audited`, except that taking faults out does not wait on the audit trail: if the
    request record cannot be written, the removal still happens (a fault left in the mesh
    is the worse failure) and the outcome is recorded if the sink comes back. Either way,
    or when the outcome record could not be written after it, the removal is not what the
    trail says: it is logged and UnauditedRemoval is raised, with what `apply` returned,
    so that the caller says it was done *and* that it went unaudited. `outcome`: what the
    outcome record says of what `apply` returned ("applied" and what else came out with
    it: backends.fault_ends.removed_outcome); "applied" if not given. `outcome_details`:
    what the outcome record adds to the request's details (which windows it did end)."""
    started = done = False
    result: Any = None

    async def tracked() -> T:
        nonlocal started, done, result
        started = True
        value = await apply()
        result, done = value, True
        return value

    try:
        return await audited(
            audit,
            actor=actor,
            action=action,
            target=target,
            details=details,
            apply=tracked,
            outcome=outcome,
            outcome_details=outcome_details,
        )
    except ActionRefused as exc:
        if started:
            raise
        why = str(exc).removeprefix(f"{action} refused: ")
    except Exception as exc:
        if not done:
            raise
        why = f"its outcome record could not be written ({describe_error(exc)})"
        raise _unaudited(action, actor, target, why, result) from exc
    result = await apply()
    said = outcome(result) if outcome is not None else APPLIED
    more = outcome_details(result) if outcome_details is not None else {}
    if audit is not None:
        with contextlib.suppress(Exception):  # still down: the removal mattered more
            await audit.append(
                actor,
                action,
                target,
                "outcome",
                record_id=uuid.uuid4().hex,
                outcome=f"{APPLIED} without a request record (audit was unavailable)"
                + (said.removeprefix(APPLIED) if said.startswith(APPLIED) else f"; {said}"),
                details={**details, **more},
            )
    raise _unaudited(action, actor, target, why, result)


def _unaudited(action: str, actor: str, target: str, why: str, result: object) -> UnauditedRemoval:
    """Logged (watchfloor.log) as it is raised: the trail will not tell it."""
    log.error("%s by %s on %s was carried out but not audited: %s", action, actor, target, why)
    return UnauditedRemoval(f"not audited: {why}", result)
