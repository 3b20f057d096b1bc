"""Acknowledging an alert: an audited action (backends/actions.py), so the next dashboard
on the same audit trail knows who acknowledged what, and when.

The record names the alert by its key (its rule and subject) and the time it was raised
(`since`, as the strip shows it): its identity. An alert dated from its data
(backends/alert_rules.py) has the same since on every dashboard; one without a time of its
own (a deny spike, a p99.9 over its SLO, a source down) keeps the since of its episode
across a restart while it goes on (backends/alert_episodes.py). Either way a restarted
dashboard finds the ack in the trail and shows the alert acknowledged still (`trail_acks`,
backends/alerts.py's AlertBook); an alert that cleared and came back is a new one, with
another since, not acknowledged.
Pure, but for `record_ack`, which writes through the AuditSink contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from backends.actions import APPLIED, audited
from backends.contracts import AuditSink
from backends.models import Alert, AuditRecord
from backends.timeline_words import stamp

ACK_ACTION = "alert-ack"


HERE_ONLY = "here only: read-only"  # an ack on a read-only dashboard: neither audited nor shared


@dataclass(frozen=True)
class Ack:
    actor: str
    at: datetime
    here_only: bool = False  # a read-only dashboard's: not in the trail, no one else sees it

    @property
    def by(self) -> str:
        """Who, as an alert's `acked_by` says it: "bob (here only: read-only)"."""
        return f"{self.actor} ({HERE_ONLY})" if self.here_only else self.actor


def raised_label(a: Alert) -> str:
    """When it was raised, short (the strip, `A`): "20:49:19Z"; "since start" for one that
    was there when this dashboard started (it began earlier: the start time is not its).
    One going on from before a restart ("kept") has its episode's start."""
    return "since start" if a.raised_from == "start" else f"{a.raised_at:%H:%M:%S}Z"


def raised_words(a: Alert, today: date | None) -> str:
    """When it was raised, in words: "20:49:19Z", "seen since 20:53:05Z (dashboard start)",
    or "seen since 20:41:10Z (before a restart)"."""
    at = stamp(a.raised_at, today)
    if a.raised_from == "start":
        return f"seen since {at} (dashboard start)"
    return f"seen since {at} (before a restart)" if a.raised_from == "kept" else at


def acked_words(a: Alert, today: date | None) -> str:
    """ "acknowledged by alice at 20:50:02Z"; "" if it is not acknowledged."""
    if not a.acknowledged:
        return ""
    who = f" by {a.acked_by}" if a.acked_by else ""
    at = f" at {stamp(a.acked_at, today)}" if a.acked_at is not None else ""
    return f"acknowledged{who}{at}"


async def record_ack(
    audit: AuditSink | None, actor: str, a: Alert, now: datetime, apply: Callable[[], None]
) -> None:
    """Audit the ack of `a` (request, `apply`, outcome); refused with no audit record."""

    async def ack() -> None:
        apply()

    since = "" if a.raised_from in ("start", "kept") else "since "  # "seen since ..." then
    await audited(
        audit,
        actor=actor,
        action=ACK_ACTION,
        target=a.key,
        details={
            "kind": a.kind.value,
            "since": a.raised_at.isoformat(),
            "raised_from": a.raised_from,
            # how the timeline reads it (backends/audit_text.py)
            "alert": f"{a.kind.value} {since}{raised_words(a, now.date())}: {a.message}",
        },
        apply=ack,
    )


def trail_acks(
    actions: Iterable[tuple[AuditRecord | None, AuditRecord | None]],
) -> dict[tuple[str, datetime], Ack]:
    """The acks these actions (request and outcome records, oldest first) record, by the
    alert's key and since; the first ack of each."""
    found: dict[tuple[str, datetime], Ack] = {}
    for request, outcome in actions:
        if outcome is None or outcome.action != ACK_ACTION or outcome.outcome != APPLIED:
            continue
        details = {**(request.details if request else {}), **outcome.details}
        try:
            since = datetime.fromisoformat(details.get("since", ""))
        except ValueError:
            continue
        if since.tzinfo is None:
            continue
        found.setdefault((outcome.target, since), Ack(outcome.actor, (request or outcome).at))
    return found
