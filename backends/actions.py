"""The one path every mutating action takes, whatever the backend:

validate -> policy check -> audit the request (fail closed) -> apply -> audit the outcome.
Validation and the policy check happen in the adapter before it calls `audited`.

An error raised by `apply` carries a note (`while_applying` tells): the change was being
sent, so it may have taken effect. An error without it came before: nothing was changed.
A client can say more (backends.contracts): `not_applied` (never sent, or refused by the
backend) gets no such note and its outcome is "failed: ..."; `answer_lost` (sent, no
answer) is audited as "unknown: ... (may have been sent)", never plainly "failed". An
ActionRefused raised by `apply` (what it acts on was changed meanwhile: a grant someone
revoked first) changed nothing either, and is audited in its own words: "refused: grant
… was no longer active (revoked by alice at 09:00:05Z)", never with a class name.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from backends.contracts import (
    APPLYING,
    ActionRefused,
    AuditSink,
    answer_lost,
    not_applied,
    noting,
)
from backends.polling import describe_error

T = TypeVar("T")
APPLIED = "applied"  # the outcome of an action that was carried out
NOT_DONE = ("failed", "refused")  # how the outcome of an action that changed nothing starts


def did_nothing(outcome: str) -> bool:
    """An outcome that says the action changed nothing: it failed, or was refused."""
    return outcome.startswith(NOT_DONE)


def failed_outcome(exc: BaseException) -> str:
    """The audit outcome of an action `apply` raised `exc` for: "failed: why", or, when
    the change went out and its answer was lost, "unknown: why (may have been sent)"; an
    ActionRefused, "refused: why" (its message says why: no class name in front)."""
    if isinstance(exc, ActionRefused):
        return f"refused: {exc}"
    if answer_lost(exc):
        return f"unknown: {describe_error(exc)} (may have been sent)"
    return f"failed: {describe_error(exc)}"


async def audited(
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
    """`outcome`: what the outcome record says of what `apply` returned; "applied" if
    not given (a window scheduled for later says so instead: it is not in yet).
    `outcome_details`: details the outcome record adds to the request's (which windows a
    HALT ALL did end, when another had ended some first)."""
    if audit is None:
        raise ActionRefused(f"{action} refused: no audit sink is configured")
    record_id = uuid.uuid4().hex
    try:
        await audit.append(actor, action, target, "request", record_id=record_id, details=details)
    except Exception as exc:
        raise ActionRefused(
            f"{action} refused: the audit record could not be written ({describe_error(exc)})"
        ) from exc
    try:
        result = await apply()
    except Exception as exc:
        said = failed_outcome(exc)
        if not not_applied(exc) and not isinstance(exc, ActionRefused):
            noting(exc, APPLYING)
        await audit.append(actor, action, target, "outcome", record_id=record_id, outcome=said)
        raise
    said = outcome(result) if outcome is not None else APPLIED
    more = outcome_details(result) if outcome_details is not None else None
    await audit.append(
        actor, action, target, "outcome", record_id=record_id, outcome=said, details=more or None
    )
    return result
