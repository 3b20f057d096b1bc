"""What every rollback rehearsal is checked for, whichever release backend runs it (the
built-ins, and backends/guarded_release.py around a plugin's): a reason of one line and
MIN_REASON characters, a named actor, and none while another is still queued or running
(that refusal says which run, and since when, when the source knows)."""

from __future__ import annotations

from backends.contracts import ActionRefused
from backends.models import Actor, Rehearsal, StageStatus
from backends.text_safe import squeezed, unsafe_in

IN_PROGRESS = (StageStatus.RUNNING, StageStatus.PENDING)
MIN_REASON = 10


def refuse_if_running(reh: Rehearsal | None) -> None:
    """Raise ActionRefused when `reh` (the source's latest rehearsal) has not finished."""
    if reh is None or reh.status not in IN_PROGRESS:
        return
    state = "queued" if reh.status is StageStatus.PENDING else "running"
    since = f", {state} since {reh.started_at:%H:%M:%S}Z" if reh.started_at else ""
    raise ActionRefused(
        f"a rollback rehearsal is already running (run {reh.run_id}{since});"
        " try again when it has finished"
    )


def rehearsal_reason(reason: str) -> str:
    """The reason as it is sent and audited: squeezed to one line; refused with a control
    character in it (backends/text_safe.py)."""
    text = squeezed(reason)
    if why := unsafe_in(text):
        raise ActionRefused(f"a rollback rehearsal's reason {why}", field="reason")
    return text


def check_request(actor: Actor, reason: str) -> None:
    """Refuse a rehearsal with a reason under MIN_REASON characters, or by no one named."""
    if len(reason) < MIN_REASON:
        raise ActionRefused(
            f"a rollback rehearsal needs a reason of at least {MIN_REASON} characters"
        )
    if not actor.name.strip():
        raise ActionRefused("a rollback rehearsal needs a named actor")
