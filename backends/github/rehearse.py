"""The `github` backend's rollback rehearsal: a `workflow_dispatch` of the rehearsal
workflow through the audited path, validated first, and which run each dispatch started.

GitHub answers a dispatch with 204 and no run id; the run is listed a few seconds later.
So a dispatch whose run is not listed yet holds the next one back, until its run is
listed or for dispatches.WITHIN; so does one whose answer was lost (a timeout), which may
or may not have started a run: a second "rehearsal" on top of it would be a second
rollback. Which run a dispatch started, and so who triggered it why and which release it
rolls back, is looked up in the audit trail when the run is first listed (any dashboard's
dispatch sharing it, and `watchfloor snapshot`, see it too).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from backends.actions import audited
from backends.contracts import ActionRefused, while_applying
from backends.github.client import GitHubClient
from backends.github.dispatches import ACTION, Awaited, Dispatch, dispatches_from, match
from backends.github.options import GitHubOptions
from backends.github.parse import Payload
from backends.models import Actor, ReleaseSnapshot
from backends.registry import BackendContext
from backends.rehearsals import check_request, refuse_if_running, rehearsal_reason

RUNS_KEPT = 64  # rehearsal runs whose dispatch (or none) is remembered
AUDIT_LOOKBACK = 500  # audit records read to find the dispatch of a run not seen before


class Rehearsing:
    """Mixed into GitHubRelease, which provides the client, the last snapshot and polls."""

    options: GitHubOptions
    ctx: BackendContext
    client: GitHubClient
    last: ReleaseSnapshot | None

    def __init__(self) -> None:
        self._dispatch_of: OrderedDict[str, Dispatch | None] = OrderedDict()  # by run id
        self._awaiting: Awaited | None = None  # a dispatch of ours whose run is not listed

    async def snapshot(self) -> ReleaseSnapshot:  # provided by GitHubRelease
        raise NotImplementedError

    def _workflow(self, file: str) -> str:  # provided by GitHubRelease
        raise NotImplementedError

    @property
    def rehearsal_target(self) -> str:
        """What a rehearsal runs on, with the inputs it is dispatched with (the environment
        usually is one), so the confirmation names it."""
        o = self.options
        inputs = "".join(f", {k}={v}" for k, v in sorted(o.rehearsal_inputs.items()))
        return (
            f"{o.owner}/{o.repo} {o.rehearsal_workflow} @ {o.rehearsal_ref}"
            f" (workflow_dispatch{inputs})"
        )

    @property
    def dispatch_target(self) -> str:
        """A dispatch's audit target: which workflow on which ref."""
        o = self.options
        return f"{o.owner}/{o.repo}:{o.rehearsal_workflow}@{o.rehearsal_ref}"

    async def _find_dispatches(self, runs: list[Payload]) -> None:
        """Which dispatch started each run not seen before, as the audit trail records
        them (any dashboard's sharing it); none: not one of ours. A trail that cannot be
        read now is asked again at the next poll."""
        new = [r for r in runs if str(r.get("id", "")) not in self._dispatch_of]
        if not new:
            return
        found: dict[str, Dispatch] = {}
        if self.ctx.audit is not None:
            try:
                records = await self.ctx.audit.records(limit=AUDIT_LOOKBACK)
            except Exception:
                return
            taken = {d.key for d in self._dispatch_of.values() if d is not None}
            mine = dispatches_from(records, self.dispatch_target)
            found = match(new, [d for d in mine if d.key not in taken])
        for r in new:
            run_id = str(r.get("id", ""))
            self._dispatch_of[run_id] = found.get(run_id)
        while len(self._dispatch_of) > RUNS_KEPT:
            self._dispatch_of.popitem(last=False)

    def _check(self, actor: Actor, reason: str) -> None:
        """Validation and policy: who may rehearse, and whether now is a sane moment."""
        check_request(actor, reason)
        allowed = self.options.rehearsal_actors
        if allowed and actor.name not in allowed:
            raise ActionRefused(f"{actor.name} may not trigger a rollback rehearsal")
        if not self.client.has_token:
            raise ActionRefused("no GitHub token: set GITHUB_TOKEN or backends.github.token")
        budget = self.client.budget
        now = self.ctx.clock.now()
        if budget is not None and budget.retry_at is not None and now < budget.retry_at:
            raise ActionRefused(
                f"GitHub rate limit: try again after {budget.retry_at:%H:%M:%S}Z",
                until=budget.retry_at,
                over="The GitHub rate limit is over",
            )
        self._refuse_if_awaiting(now)
        refuse_if_running(self.last.rehearsal if self.last is not None else None)

    def _refuse_if_awaiting(self, now: datetime) -> None:
        """The last dispatch's run is not listed yet: another now could be a second one."""
        a = self._awaiting
        if a is None:
            return
        sent = f"the rehearsal dispatched at {a.at:%H:%M:%S}Z"
        sent += " may have started (its answer was lost)" if a.lost else " was accepted"
        if now < a.until:
            raise ActionRefused(
                f"{sent} and no run of it has appeared yet; try again after"
                f" {a.until:%H:%M:%S}Z if none has",
                until=a.until,
                over=f"No run appeared by {a.until:%H:%M:%S}Z for the dispatch at {a.at:%H:%M:%S}Z",
            )
        raise ActionRefused(
            f"{sent}, and no poll has answered since {a.until:%H:%M:%S}Z to show whether a run"
            " of it appeared; try again once one has"
        )

    async def trigger_rehearsal(self, actor: Actor, reason: str) -> None:
        reason = rehearsal_reason(reason)
        if self._awaiting is not None:  # has the last dispatch's run appeared by now?
            await self.snapshot()
        self._check(actor, reason)
        o = self.options
        inputs: dict[str, Any] = dict(o.rehearsal_inputs)
        if o.reason_input:
            inputs[o.reason_input] = reason
        body: dict[str, Any] = {"ref": o.rehearsal_ref}
        if inputs:
            body["inputs"] = inputs

        # what it rolls back (the latest release as last polled) and where, as the dialog
        # named them
        details = {"reason": reason, "ref": o.rehearsal_ref, "target": self.rehearsal_target}
        if self.last is not None and self.last.release is not None:
            details["release"] = self.last.release.tag

        async def apply() -> None:
            await self.client.post(f"{self._workflow(o.rehearsal_workflow)}/dispatches", body)

        seen = frozenset(r.run_id for r in self.last.rehearsals) if self.last else frozenset()
        at = self.ctx.clock.now()
        try:
            await audited(
                self.ctx.audit,
                actor=actor.name,
                action=ACTION,
                target=self.dispatch_target,
                details=details,
                apply=apply,
            )
        except Exception as exc:
            if while_applying(exc):  # it went out: a run of it may yet appear
                self._awaiting = Awaited(at, seen, lost=True)
            raise
        self._awaiting = Awaited(at, seen, lost=False)

    def dispatch_of(self, run: Payload) -> Dispatch | None:
        return self._dispatch_of.get(str(run.get("id", "")))

    def settle_awaited(self, runs: list[Payload], now: datetime) -> None:
        """A poll listed `runs`: the dispatch awaited is done with once one of its runs
        is among them, or WITHIN has passed."""
        if self._awaiting is not None and self._awaiting.resolved(runs, now):
            self._awaiting = None
