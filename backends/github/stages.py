"""GitHub Actions jobs and steps as release stages: statuses, and steps grouped into the
configured stages. Pure; no I/O.

Jobs with steps are GitHub's documented shape (`GET .../actions/runs/{id}/jobs`, REST API
2022-11-28).
"""

from __future__ import annotations

from collections.abc import Sequence

from backends.github.options import StageRule
from backends.github.parse import Payload, matches, parse_time
from backends.models import ReleaseStage, StageStatus

FAILED_CONCLUSIONS = frozenset(
    {"failure", "cancelled", "timed_out", "action_required", "startup_failure", "stale"}
)
DONE_STATES = (StageStatus.SUCCESS, StageStatus.FAILURE, StageStatus.SKIPPED)


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


def all_steps(jobs: Sequence[Payload]) -> list[Payload]:
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
    steps = all_steps(jobs)
    named = [(str(s.get("name", "")), s) for s in steps]
    out = [_stage(r.name, [s for n, s in named if matches(n, r.steps)], run_done) for r in rules]
    for s in steps:
        name = str(s.get("name", ""))
        if step_status(s.get("status"), s.get("conclusion")) is StageStatus.FAILURE and not any(
            matches(name, r.steps) for r in rules
        ):
            out.append(_stage(name, [s], run_done))
    return tuple(out)
