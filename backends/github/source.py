"""The release train from GitHub Actions: a polling ReleaseSource.

Each poll reads the release-train workflow's runs (paginated), the jobs and steps of the
runs still moving (a finished run's jobs are kept, they never change), the latest release
and the rollback-rehearsal workflow's latest run. Conditional requests make an unchanged
poll cost no rate limit. The rehearsal is a workflow_dispatch, through the audited path.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from pydantic import SecretStr

from backends.actions import audited
from backends.contracts import ActionRefused
from backends.github.artefacts import release_from_payload
from backends.github.client import GitHubClient, GitHubError
from backends.github.options import GitHubOptions
from backends.github.parse import Payload
from backends.github.runs import (
    rehearsal_from_run,
    release_matches_run,
    run_from_payload,
    workflow_runs,
)
from backends.models import (
    Actor,
    HealthState,
    ReleaseSnapshot,
    SourceHealth,
)
from backends.polling import poll, with_error
from backends.registry import BackendContext
from backends.rehearsals import refuse_if_running, rehearsal_reason
from backends.resilience import ClientPolicy

JOBS_KEPT = 64
MIN_REASON = 10


def token_from(options: GitHubOptions, env: dict[str, str] | None = None) -> SecretStr | None:
    """The configured token, else $GITHUB_TOKEN, else none (public repos, 60 requests/h)."""
    if options.token is not None and options.token.get_secret_value():
        return options.token
    value = (os.environ if env is None else env).get("GITHUB_TOKEN", "")
    return SecretStr(value) if value else None


class GitHubRelease:
    name = "github"

    def __init__(self, options: GitHubOptions, ctx: BackendContext) -> None:
        self.options = options
        self.ctx = ctx
        self.clock = ctx.clock
        self.client = GitHubClient(
            options.base_url, token_from(options), timeout_s=options.timeout_s, clock=ctx.clock
        )
        self.repo_path = f"/repos/{quote(options.owner, safe='')}/{quote(options.repo, safe='')}"
        self._jobs_done: OrderedDict[str, list[Payload]] = OrderedDict()
        self.last: ReleaseSnapshot | None = None

    @property
    def client_policy(self) -> ClientPolicy:
        """The client policy of this backend (its current adaptive timeout, retries)."""
        return self.client.policy

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

    def __repr__(self) -> str:
        return f"GitHubRelease({self.options.owner}/{self.options.repo}, {self.client!r})"

    def _workflow(self, file: str) -> str:
        return f"{self.repo_path}/actions/workflows/{quote(file, safe='')}"

    async def _jobs(self, run: Payload) -> list[Payload]:
        run_id = str(run.get("id", ""))
        key = f"{run_id}:{run.get('run_attempt', 1)}"  # a re-run has new jobs
        kept = self._jobs_done.get(key)
        if kept is not None:
            return kept
        jobs = await self.client.get_pages(
            f"{self.repo_path}/actions/runs/{quote(run_id, safe='')}/jobs",
            {"per_page": 100},
            key="jobs",
            want=1000,
            max_pages=self.options.max_pages,
        )
        if run.get("status") == "completed":
            self._jobs_done[key] = jobs
            while len(self._jobs_done) > JOBS_KEPT:
                self._jobs_done.popitem(last=False)
        return jobs

    async def fetch(self) -> ReleaseSnapshot:
        o = self.options
        runs = await self.client.get_pages(
            f"{self._workflow(o.release_workflow)}/runs",
            {"per_page": o.per_page},
            key="workflow_runs",
            want=o.recent + 1,
            max_pages=o.max_pages,
        )
        release = await self.client.get(f"{self.repo_path}/releases/latest")
        if release is not None and not isinstance(release, dict):
            raise GitHubError("unexpected answer to GET releases/latest: not a release object")
        rehearsal_page = await self.client.get(
            f"{self._workflow(o.rehearsal_workflow)}/runs", {"per_page": 1}
        )
        mapped = []
        for i, run in enumerate(runs):
            known = i == 0 or (release is not None and release_matches_run(release, run))
            mapped.append(
                run_from_payload(
                    run,
                    await self._jobs(run),
                    stages=o.stages,
                    artefacts=o.artefacts if known else None,
                    release=release,
                )
            )
        reh_runs = workflow_runs(rehearsal_page) if isinstance(rehearsal_page, dict) else []
        rehearsal = (
            rehearsal_from_run(reh_runs[0], await self._jobs(reh_runs[0])) if reh_runs else None
        )
        now = self.clock.now()
        return ReleaseSnapshot(
            observed_at=now,
            health=SourceHealth(state=HealthState.OK, last_ok_at=now, interval_s=o.poll_s),
            source=self.name,
            current=mapped[0] if mapped else None,
            recent=tuple(r for r in mapped if r.finished_at is not None)[: o.recent],
            rehearsal=rehearsal,
            release=release_from_payload(release) if release is not None else None,
            rate_limit=self.client.budget,
            rehearsal_target=self.rehearsal_target,
        )

    async def snapshot(self) -> ReleaseSnapshot:
        """One poll. A failure keeps the last data, says why, and shows the budget."""
        try:
            snap = await self.fetch()
        except Exception as exc:
            snap = with_error(
                ReleaseSnapshot,
                self.last,
                exc,
                source=self.name,
                interval_s=self.options.poll_s,
                clock=self.clock,
            ).model_copy(  # what a rehearsal would run is configuration: known anyway
                update={"rate_limit": self.client.budget, "rehearsal_target": self.rehearsal_target}
            )
        self.last = snap
        return snap

    def watch(self) -> AsyncIterator[ReleaseSnapshot]:
        return poll(
            ReleaseSnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.options.poll_s,
            clock=self.clock,
        )

    # --- the rollback rehearsal -------------------------------------------------------

    def _check(self, actor: Actor, reason: str) -> None:
        """Validation and policy: who may rehearse, and whether now is a sane moment."""
        if len(reason) < MIN_REASON:
            raise ActionRefused(
                f"a rollback rehearsal needs a reason of at least {MIN_REASON} characters"
            )
        if not actor.name.strip():
            raise ActionRefused("a rollback rehearsal needs a named actor")
        allowed = self.options.rehearsal_actors
        if allowed and actor.name not in allowed:
            raise ActionRefused(f"{actor.name} may not trigger a rollback rehearsal")
        if not self.client.has_token:
            raise ActionRefused("no GitHub token: set GITHUB_TOKEN or backends.github.token")
        budget = self.client.budget
        now = self.clock.now()
        if budget is not None and budget.retry_at is not None and now < budget.retry_at:
            raise ActionRefused(f"GitHub rate limit: try again after {budget.retry_at:%H:%M:%S}Z")
        refuse_if_running(self.last.rehearsal if self.last is not None else None)

    async def trigger_rehearsal(self, actor: Actor, reason: str) -> None:
        reason = rehearsal_reason(reason)
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

        await audited(
            self.ctx.audit,
            actor=actor.name,
            action="rollback-rehearsal",
            target=f"{o.owner}/{o.repo}:{o.rehearsal_workflow}@{o.rehearsal_ref}",
            details=details,
            apply=apply,
        )

    async def aclose(self) -> None:
        await self.client.aclose()
