"""The one path every mutating action takes, whatever the backend:

validate -> policy check -> audit the request (fail closed) -> apply -> audit the outcome.
Validation and the policy check happen in the adapter before it calls `audited`.

An error raised by `apply` carries a note (`while_applying` tells): the change was being
sent, so it may have taken effect. An error without it came before: nothing was changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from backends.contracts import APPLYING, ActionRefused, AuditSink, while_applying
from backends.polling import describe_error

T = TypeVar("T")
APPLIED = "applied"  # the outcome of an action that was carried out


async def audited(
    audit: AuditSink | None,
    *,
    actor: str,
    action: str,
    target: str,
    details: dict[str, str],
    apply: Callable[[], Awaitable[T]],
    outcome: Callable[[T], str] | None = None,
) -> T:
    """`outcome`: what the outcome record says of what `apply` returned; "applied" if
    not given (a window scheduled for later says so instead: it is not in yet)."""
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
        if not while_applying(exc):
            exc.add_note(APPLYING)
        await audit.append(
            actor,
            action,
            target,
            "outcome",
            record_id=record_id,
            outcome=f"failed: {describe_error(exc)}",
        )
        raise
    said = outcome(result) if outcome is not None else APPLIED
    await audit.append(actor, action, target, "outcome", record_id=record_id, outcome=said)
    return result
