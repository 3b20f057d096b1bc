"""Which rollback-rehearsal run a dispatch started. Pure; no I/O.

GitHub answers a `workflow_dispatch` with 204 and no run id: the run appears in the
workflow's runs a few seconds later. What was dispatched (who, why, which release) is in
the audit trail, so every dashboard and `watchfloor snapshot` sharing it can tell: a
dispatch's run is the first `workflow_dispatch` run on its ref created from SKEW before it
(GitHub's clock against ours) to WITHIN after it, not already another dispatch's; with the
reason passed as an input, a run whose title names it is preferred (a workflow's
`run-name` may carry its inputs). No run by then: it did not start one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from backends.actions import did_nothing
from backends.github.parse import Payload, parse_time
from backends.models import AuditRecord

ACTION = "rollback-rehearsal"  # the audit action of a dispatch
SKEW = timedelta(seconds=30)
WITHIN = timedelta(minutes=3)


@dataclass(frozen=True)
class Dispatch:
    key: str  # its audit record id
    at: datetime
    actor: str
    reason: str
    release: str | None  # the release it rolls back, as the dialog named it
    ref: str


@dataclass(frozen=True)
class Awaited:
    """A dispatch of this dashboard whose run has not been seen yet. `lost`: its answer
    was lost, so it may not have started one at all."""

    at: datetime
    seen: frozenset[str]  # the rehearsal runs listed before it
    lost: bool

    @property
    def until(self) -> datetime:
        return self.at + WITHIN

    def resolved(self, runs: Iterable[Payload], now: datetime) -> bool:
        """A run of it has appeared, or the polls have had until WITHIN to show one."""
        return now >= self.until or any(
            str(r.get("id", "")) not in self.seen
            and (t := created(r)) is not None
            and t >= self.at - SKEW
            for r in runs
        )


def created(run: Payload) -> datetime | None:
    return parse_time(run.get("created_at")) or parse_time(run.get("run_started_at"))


def branch(ref: str) -> str:
    """The branch or tag a dispatch's run reports as its head_branch."""
    return ref.removeprefix("refs/heads/").removeprefix("refs/tags/")


def dispatches_from(records: Iterable[AuditRecord], target: str) -> list[Dispatch]:
    """The dispatches to `target` the audit trail records, oldest first: requests without
    an outcome yet, or one that is not a failure ("applied", "unknown: ...")."""
    requests: dict[str, AuditRecord] = {}
    failed: set[str] = set()
    for r in records:
        if r.action != ACTION or r.target != target:
            continue
        if r.phase == "request":
            requests[r.id] = r
        elif did_nothing(r.outcome):
            failed.add(r.id)
    return sorted(
        (
            Dispatch(
                key=r.id,
                at=r.at,
                actor=r.actor,
                reason=r.details.get("reason", ""),
                release=r.details.get("release") or None,
                ref=r.details.get("ref", ""),
            )
            for r in requests.values()
            if r.id not in failed
        ),
        key=lambda d: d.at,
    )


def _fits(run: Payload, d: Dispatch) -> bool:
    t = created(run)
    if t is None or run.get("event", "workflow_dispatch") != "workflow_dispatch":
        return False
    head = run.get("head_branch")
    if d.ref and isinstance(head, str) and head and head != branch(d.ref):
        return False
    return d.at - SKEW <= t <= d.at + WITHIN


def match(runs: Sequence[Payload], dispatches: Sequence[Dispatch]) -> dict[str, Dispatch]:
    """Run id: the dispatch that started it, for the `runs` (none taken yet) and the
    `dispatches` (none matched yet), each dispatch oldest first to one run at most."""
    timed = sorted(((t, r) for r in runs if (t := created(r)) is not None), key=lambda p: p[0])
    free = [r for _, r in timed]
    found: dict[str, Dispatch] = {}
    for d in sorted(dispatches, key=lambda d: d.at):
        fits = [r for r in free if _fits(r, d)]
        if not fits:
            continue
        named = [r for r in fits if d.reason and d.reason in str(r.get("display_title", ""))]
        run = (named or fits)[0]
        free.remove(run)
        found[str(run.get("id", ""))] = d
    return found
