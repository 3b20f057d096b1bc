"""GitHub workflow runs as Watchfloor's release runs and rollback rehearsals. Pure; no I/O.

Workflow runs are GitHub's documented shape (`GET .../actions/workflows/{file}/runs`, REST
API 2022-11-28), with their jobs and steps (backends.github.stages) and the release they
cut (backends.github.artefacts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from backends.github.artefacts import artefact_states, release_from_payload
from backends.github.dispatches import Dispatch
from backends.github.options import ArtefactRule, StageRule
from backends.github.parse import Payload, parse_time
from backends.github.stages import stages_from_jobs, step_status
from backends.models import Rehearsal, ReleaseRun, not_missing_yet


def release_matches_run(release: Payload, run: Payload) -> bool:
    """Was this release cut by this run? Same commit or tag, or created while it ran."""
    sha, branch = run.get("head_sha"), run.get("head_branch")
    if sha and release.get("target_commitish") == sha:
        return True
    if branch and release.get("tag_name") == branch:
        return True
    created = parse_time(release.get("created_at"))
    started = parse_time(run.get("run_started_at")) or parse_time(run.get("created_at"))
    if created is None or started is None or created < started:
        return False
    if run.get("status") != "completed":
        return True
    ended = parse_time(run.get("updated_at"))
    return ended is not None and created <= ended


def _exact(release: Payload, run: Payload) -> bool:
    sha, branch = run.get("head_sha"), run.get("head_branch")
    return bool(sha and release.get("target_commitish") == sha) or bool(
        branch and release.get("tag_name") == branch
    )


def release_of(run: Payload, releases: Sequence[Payload]) -> Payload | None:
    """The published release this run cut, among `releases` (the latest and the recent
    ones, `GET .../releases`): one of its commit or tag first, else one created while it
    ran. Drafts are not published: never."""
    published = [r for r in releases if not r.get("draft")]
    exact = next((r for r in published if _exact(r, run)), None)
    return exact or next((r for r in published if release_matches_run(r, run)), None)


def run_from_payload(
    run: Payload,
    jobs: Sequence[Payload],
    *,
    stages: Sequence[StageRule],
    artefacts: Mapping[str, ArtefactRule] | None,
    release: Payload | None = None,
) -> ReleaseRun:
    """A workflow run with its jobs. `artefacts` None: the artefacts are not known for
    this run (an older cut whose release is not among those read), so none are claimed."""
    status = step_status(run.get("status"), run.get("conclusion"))
    done = run.get("status") == "completed"
    started = parse_time(run.get("run_started_at")) or parse_time(run.get("created_at"))
    mine = release if release is not None and release_matches_run(release, run) else None
    published = release_from_payload(mine) if mine is not None else None
    version = published.tag if published and published.tag else f"#{run.get('run_number', '?')}"
    arts = artefact_states(artefacts, jobs, published) if artefacts is not None else {}
    return ReleaseRun(
        id=str(run.get("id", "")),
        version=version,
        status=status,
        started_at=started or datetime.fromtimestamp(0, UTC),
        finished_at=parse_time(run.get("updated_at")) if done else None,
        stages=stages_from_jobs(jobs, stages, done),
        artifacts=arts if done else not_missing_yet(arts),
        url=str(run.get("html_url") or ""),
    )


def _login(user: object) -> str | None:
    login = user.get("login") if isinstance(user, Mapping) else None
    return login if isinstance(login, str) and login else None


def rehearsal_from_run(
    run: Payload, jobs: Sequence[Payload] = (), dispatch: Dispatch | None = None
) -> Rehearsal:
    """A rehearsal run; with the `dispatch` that started it (backends.github.dispatches),
    the release it rolls back and who triggered it why. Without one, who GitHub says
    triggered it (a dispatch from its web page, another tool), and nothing more."""
    done = run.get("status") == "completed"
    d = dispatch
    github_says = _login(run.get("triggering_actor")) or _login(run.get("actor"))
    return Rehearsal(
        stages=stages_from_jobs(jobs, (), done),
        status=step_status(run.get("status"), run.get("conclusion")),
        finished_at=parse_time(run.get("updated_at")) if done else None,
        started_at=parse_time(run.get("run_started_at")) or parse_time(run.get("created_at")),
        run_id=str(run.get("id", "")),
        url=str(run.get("html_url") or ""),
        release=d.release if d is not None else None,
        actor=d.actor if d is not None else github_says,
        reason=d.reason if d is not None else None,
    )


def workflow_runs(page: Payload) -> list[Payload]:
    runs = page.get("workflow_runs")
    return list(runs) if isinstance(runs, list) else []
