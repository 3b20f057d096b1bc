"""The release train from GitHub Actions: a polling ReleaseSource.

Each poll reads the release-train workflow's runs (paginated), the jobs and steps of the
runs still moving (a finished run's jobs are kept, they never change), the latest release,
the recent releases (so a cut keeps its version and verification once a newer one has
published) and the rollback-rehearsal workflow's latest runs. Conditional requests make an unchanged
poll cost no rate limit. The rehearsal, a workflow_dispatch through the audited path, and
which run each dispatch started: backends.github.rehearse.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import AsyncIterator
from urllib.parse import quote

from pydantic import SecretStr

from backends.github.artefacts import release_from_payload
from backends.github.client import GitHubClient, GitHubError
from backends.github.options import GitHubOptions
from backends.github.parse import Payload
from backends.github.rehearse import Rehearsing
from backends.github.runs import (
    rehearsal_from_run,
    release_of,
    run_from_payload,
    workflow_runs,
)
from backends.models import (
    HealthState,
    ReleaseSnapshot,
    SourceHealth,
)
from backends.polling import poll, with_error
from backends.registry import BackendContext
from backends.resilience import ClientPolicy

JOBS_KEPT = 64
REHEARSALS = 5  # the rehearsal runs read each poll, newest first


def token_from(options: GitHubOptions, env: dict[str, str] | None = None) -> SecretStr | None:
    """The configured token, else $GITHUB_TOKEN, else none (public repos, 60 requests/h)."""
    if options.token is not None and options.token.get_secret_value():
        return options.token
    value = (os.environ if env is None else env).get("GITHUB_TOKEN", "")
    return SecretStr(value) if value else None


class GitHubRelease(Rehearsing):
    name = "github"

    def __init__(self, options: GitHubOptions, ctx: BackendContext) -> None:
        super().__init__()
        self.options = options
        self.ctx = ctx
        self.clock = ctx.clock
        self.client = GitHubClient(
            options.base_url,
            token_from(options),
            timeout_s=options.timeout_s,
            clock=ctx.clock,
            polled=ctx.polled,
        )
        self.repo_path = f"/repos/{quote(options.owner, safe='')}/{quote(options.repo, safe='')}"
        self._jobs_done: OrderedDict[str, list[Payload]] = OrderedDict()
        self.last: ReleaseSnapshot | None = None

    @property
    def client_policy(self) -> ClientPolicy:
        """The client policy of this backend (its current adaptive timeout, retries)."""
        return self.client.policy

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
        listed = await self.client.get(f"{self.repo_path}/releases", {"per_page": o.recent + 1})
        if listed is not None and not (
            isinstance(listed, list) and all(isinstance(r, dict) for r in listed)
        ):
            raise GitHubError("unexpected answer to GET releases: not a list of releases")
        releases = [*([release] if release is not None else []), *(listed or [])]
        rehearsal_page = await self.client.get(
            f"{self._workflow(o.rehearsal_workflow)}/runs", {"per_page": REHEARSALS}
        )
        mapped = []
        for i, run in enumerate(runs):
            own = release_of(run, releases)
            mapped.append(
                run_from_payload(
                    run,
                    await self._jobs(run),
                    stages=o.stages,
                    artefacts=o.artefacts if i == 0 or own is not None else None,
                    release=own,
                )
            )
        reh_runs = workflow_runs(rehearsal_page) if isinstance(rehearsal_page, dict) else []
        await self._find_dispatches(reh_runs)
        rehearsals = tuple(
            [rehearsal_from_run(r, await self._jobs(r), self.dispatch_of(r)) for r in reh_runs]
        )
        now = self.clock.now()
        self.settle_awaited(reh_runs, now)
        return ReleaseSnapshot(
            observed_at=now,
            health=SourceHealth(state=HealthState.OK, last_ok_at=now, interval_s=o.poll_s),
            source=self.name,
            current=mapped[0] if mapped else None,
            recent=tuple(r for r in mapped if r.finished_at is not None)[: o.recent],
            rehearsal=rehearsals[0] if rehearsals else None,
            rehearsals=rehearsals,
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

    async def aclose(self) -> None:
        await self.client.aclose()
