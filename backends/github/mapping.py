"""Pure functions from GitHub REST payloads to Watchfloor's release models. No I/O.

Payload shapes are GitHub's documented ones (REST API 2022-11-28): workflow runs
(`GET .../actions/workflows/{file}/runs`), jobs with steps (`GET .../actions/runs/{id}/jobs`)
and releases (`GET .../releases/latest`). Headers are any case-insensitive mapping, or a
dict with lower-case keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from fnmatch import fnmatchcase
from typing import Any

from backends.github.options import ArtefactRule, StageRule
from backends.models import (
    PublishedRelease,
    RateLimit,
    Rehearsal,
    ReleaseAsset,
    ReleaseRun,
    ReleaseStage,
    StageStatus,
    Verification,
)

Payload = Mapping[str, Any]

FAILED_CONCLUSIONS = frozenset(
    {"failure", "cancelled", "timed_out", "action_required", "startup_failure", "stale"}
)
DONE_STATES = (StageStatus.SUCCESS, StageStatus.FAILURE, StageStatus.SKIPPED)
SECONDARY_WAIT_S = 60.0  # GitHub: without retry-after, wait at least a minute
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')


# --- small parsers ---------------------------------------------------------------------


def parse_time(value: object) -> datetime | None:
    """GitHub timestamps are ISO 8601 ("2026-03-16T09:00:00Z", or with an offset)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(UTC) if t.tzinfo is not None else None


def matches(name: str, patterns: Iterable[str]) -> bool:
    low = name.strip().lower()
    return any(fnmatchcase(low, p.lower()) for p in patterns)


def next_link(link_header: str | None) -> str | None:
    """The rel="next" URL of a `Link` header, or None on the last page."""
    if not link_header:
        return None
    for url, rel in _LINK.findall(link_header):
        if "next" in rel.split():
            return str(url)
    return None


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def rate_limit_from_headers(
    headers: Mapping[str, str], previous: RateLimit | None = None
) -> RateLimit | None:
    """The budget the response reports (`x-ratelimit-*`), else what was known before."""
    limit = _int(headers.get("x-ratelimit-limit"))
    remaining = _int(headers.get("x-ratelimit-remaining"))
    reset = _int(headers.get("x-ratelimit-reset"))
    if limit is None and remaining is None:
        return previous
    return RateLimit(
        limit=limit,
        remaining=remaining,
        reset_at=datetime.fromtimestamp(reset, UTC) if reset is not None else None,
        retry_at=previous.retry_at if previous is not None else None,
    )


def retry_at(
    status: int, headers: Mapping[str, str], now: datetime, message: str = ""
) -> datetime | None:
    """When a 403/429 may be retried, per GitHub's rate-limit rules; None if it is not
    a rate limit (a plain 403 is a permission problem)."""
    if status not in (403, 429):
        return None
    after = headers.get("retry-after")
    if after:
        secs = _int(after)
        if secs is not None:
            return now + timedelta(seconds=max(0, secs))
        try:
            when = parsedate_to_datetime(after)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(now, when.astimezone(UTC))
    if _int(headers.get("x-ratelimit-remaining")) == 0:
        reset = _int(headers.get("x-ratelimit-reset"))
        if reset is not None:
            return max(now, datetime.fromtimestamp(reset, UTC))
        return now + timedelta(seconds=SECONDARY_WAIT_S)
    if status == 429 or "rate limit" in message.lower():
        return now + timedelta(seconds=SECONDARY_WAIT_S)
    return None


# --- statuses --------------------------------------------------------------------------


def step_status(status: object, conclusion: object) -> StageStatus:
    """A step's, job's or run's (status, conclusion) as a stage status."""
    if status == "completed":
        if conclusion in ("success", "neutral"):
            return StageStatus.SUCCESS
        if conclusion == "skipped":
            return StageStatus.SKIPPED
        if conclusion in FAILED_CONCLUSIONS:
            return StageStatus.FAILURE
        return StageStatus.FAILURE if conclusion else StageStatus.RUNNING
    if status == "in_progress":
        return StageStatus.RUNNING
    return StageStatus.PENDING  # queued, waiting, requested, pending


def combine(statuses: Sequence[StageStatus]) -> StageStatus:
    """Several steps making up one stage."""
    s = set(statuses)
    if StageStatus.FAILURE in s:
        return StageStatus.FAILURE
    if StageStatus.RUNNING in s:
        return StageStatus.RUNNING
    if s == {StageStatus.SKIPPED}:
        return StageStatus.SKIPPED
    if StageStatus.PENDING in s:
        return StageStatus.RUNNING if StageStatus.SUCCESS in s else StageStatus.PENDING
    return StageStatus.SUCCESS


# --- jobs and steps -> stages ----------------------------------------------------------


def _steps(jobs: Sequence[Payload]) -> list[Payload]:
    return [st for job in jobs for st in (job.get("steps") or ())]


def _stage(name: str, parts: Sequence[Payload], run_done: bool) -> ReleaseStage:
    if not parts:
        return ReleaseStage(
            name=name, status=StageStatus.SKIPPED if run_done else StageStatus.PENDING
        )
    statuses = [step_status(p.get("status"), p.get("conclusion")) for p in parts]
    status = combine(statuses)
    if status in (StageStatus.PENDING, StageStatus.SKIPPED):
        return ReleaseStage(name=name, status=status)
    starts = [
        t
        for p, st in zip(parts, statuses, strict=True)
        if st not in (StageStatus.PENDING, StageStatus.SKIPPED)
        and (t := parse_time(p.get("started_at"))) is not None
    ]
    ends = [parse_time(p.get("completed_at")) for p in parts]
    finished = None
    if status in DONE_STATES and all(e is not None for e in ends):
        finished = max(e for e in ends if e is not None)
    return ReleaseStage(
        name=name,
        status=status,
        started_at=min(starts) if starts else None,
        finished_at=finished,
    )


def stages_from_jobs(
    jobs: Sequence[Payload], rules: Sequence[StageRule], run_done: bool
) -> tuple[ReleaseStage, ...]:
    """One stage per rule, from the steps its patterns match (across every job). With no
    rules, one stage per job. A failed step no rule covers becomes a stage of its own, so
    a failure is never hidden."""
    if not rules:
        return tuple(_stage(str(j.get("name", "job")), [j], run_done) for j in jobs)
    steps = _steps(jobs)
    named = [(str(s.get("name", "")), s) for s in steps]
    out = [_stage(r.name, [s for n, s in named if matches(n, r.steps)], run_done) for r in rules]
    for s in steps:
        name = str(s.get("name", ""))
        if step_status(s.get("status"), s.get("conclusion")) is StageStatus.FAILURE and not any(
            matches(name, r.steps) for r in rules
        ):
            out.append(_stage(name, [s], run_done))
    return tuple(out)


# --- artefacts -------------------------------------------------------------------------


def release_from_payload(payload: Payload) -> PublishedRelease:
    assets = tuple(
        ReleaseAsset(
            name=str(a.get("name", "")),
            size=_int(a.get("size")) or 0,
            digest=str(a.get("digest") or ""),
            url=str(a.get("browser_download_url") or ""),
        )
        for a in payload.get("assets") or ()
    )
    return PublishedRelease(
        tag=str(payload.get("tag_name", "")),
        name=str(payload.get("name") or ""),
        notes=str(payload.get("body") or ""),
        url=str(payload.get("html_url") or ""),
        published_at=parse_time(payload.get("published_at")),
        assets=assets,
    )


def present(rule: ArtefactRule, release: PublishedRelease | None) -> bool:
    """Is the artefact attached to the release (listed, which is not verified)?"""
    if release is None:
        return False
    if rule.release_body and release.notes.strip():
        return True
    if rule.asset_digests and release.assets and all(a.digest for a in release.assets):
        return True
    return any(matches(a.name, rule.assets) for a in release.assets) if rule.assets else False


def artefact_state(
    rule: ArtefactRule, steps: Sequence[Payload], release: PublishedRelease | None
) -> Verification:
    """failed: its verify step failed. missing: not attached. verified: attached and
    every step verifying it concluded success. Otherwise attached but unverified."""
    verify = [
        step_status(s.get("status"), s.get("conclusion"))
        for s in steps
        if rule.verify_steps and matches(str(s.get("name", "")), rule.verify_steps)
    ]
    if StageStatus.FAILURE in verify:
        return Verification.FAILED
    if not present(rule, release):
        return Verification.MISSING
    if verify and all(v is StageStatus.SUCCESS for v in verify):
        return Verification.VERIFIED
    return Verification.UNVERIFIED


def artefact_states(
    rules: Mapping[str, ArtefactRule], jobs: Sequence[Payload], release: PublishedRelease | None
) -> dict[str, Verification]:
    steps = _steps(jobs)
    return {name: artefact_state(rule, steps, release) for name, rule in rules.items()}


# --- runs ------------------------------------------------------------------------------


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


def run_from_payload(
    run: Payload,
    jobs: Sequence[Payload],
    *,
    stages: Sequence[StageRule],
    artefacts: Mapping[str, ArtefactRule] | None,
    release: Payload | None = None,
) -> ReleaseRun:
    """A workflow run with its jobs. `artefacts` None: the artefacts are not known for
    this run (older cuts: only the latest release is fetched), so none are claimed."""
    status = step_status(run.get("status"), run.get("conclusion"))
    done = run.get("status") == "completed"
    started = parse_time(run.get("run_started_at")) or parse_time(run.get("created_at"))
    mine = release if release is not None and release_matches_run(release, run) else None
    published = release_from_payload(mine) if mine is not None else None
    version = published.tag if published and published.tag else f"#{run.get('run_number', '?')}"
    return ReleaseRun(
        id=str(run.get("id", "")),
        version=version,
        status=status,
        started_at=started or datetime.fromtimestamp(0, UTC),
        finished_at=parse_time(run.get("updated_at")) if done else None,
        stages=stages_from_jobs(jobs, stages, done),
        artifacts=artefact_states(artefacts, jobs, published) if artefacts is not None else {},
        url=str(run.get("html_url") or ""),
    )


def rehearsal_from_run(run: Payload, jobs: Sequence[Payload] = ()) -> Rehearsal:
    done = run.get("status") == "completed"
    return Rehearsal(
        stages=stages_from_jobs(jobs, (), done),
        status=step_status(run.get("status"), run.get("conclusion")),
        finished_at=parse_time(run.get("updated_at")) if done else None,
        started_at=parse_time(run.get("run_started_at")) or parse_time(run.get("created_at")),
        run_id=str(run.get("id", "")),
        url=str(run.get("html_url") or ""),
    )


def workflow_runs(page: Payload) -> list[Payload]:
    runs = page.get("workflow_runs")
    return list(runs) if isinstance(runs, list) else []
