"""Pure mapping from GitHub payloads to release models: statuses, stages, verification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backends.github.artefacts import artefact_states, release_from_payload
from backends.github.headers import next_link, rate_limit_from_headers, retry_at
from backends.github.options import DEFAULT_ARTEFACTS, DEFAULT_STAGES, StageRule
from backends.github.runs import release_matches_run, run_from_payload
from backends.github.stages import stages_from_jobs, step_status
from backends.models import StageStatus, Verification
from tests.conftest import T0
from tests.github_payloads import (
    FAILED,
    OK,
    QUEUED,
    RUNNING,
    SKIPPED,
    TRAIN,
    asset,
    release,
    run,
    step,
    train_jobs,
)

S, F, K, R, P = (
    StageStatus.SUCCESS,
    StageStatus.FAILURE,
    StageStatus.SKIPPED,
    StageStatus.RUNNING,
    StageStatus.PENDING,
)


@pytest.mark.parametrize(
    ("status", "conclusion", "expected"),
    [
        ("completed", "success", S),
        ("completed", "neutral", S),
        ("completed", "failure", F),
        ("completed", "cancelled", F),
        ("completed", "timed_out", F),
        ("completed", "skipped", K),
        ("in_progress", None, R),
        ("queued", None, P),
        ("waiting", None, P),
    ],
)
def test_step_status(status: str, conclusion: str | None, expected: StageStatus) -> None:
    assert step_status(status, conclusion) is expected


def test_next_link_follows_rel_next_only() -> None:
    link = (
        '<https://api.github.com/repos/a/b/actions/runs?page=3>; rel="next", '
        '<https://api.github.com/repos/a/b/actions/runs?page=9>; rel="last", '
        '<https://api.github.com/repos/a/b/actions/runs?page=1>; rel="first"'
    )
    assert next_link(link) == "https://api.github.com/repos/a/b/actions/runs?page=3"
    assert next_link('<https://x/y?page=1>; rel="prev"') is None
    assert next_link(None) is None


def test_retry_after_rules() -> None:
    reset = int((T0 + timedelta(minutes=7)).timestamp())
    assert retry_at(429, {"retry-after": "30"}, T0) == T0 + timedelta(seconds=30)
    assert retry_at(403, {"retry-after": "5"}, T0) == T0 + timedelta(seconds=5)
    exhausted = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
    assert retry_at(403, exhausted, T0) == T0 + timedelta(minutes=7)
    assert retry_at(429, {}, T0) == T0 + timedelta(seconds=60)
    assert retry_at(403, {}, T0, "You have exceeded a secondary rate limit") == T0 + timedelta(
        seconds=60
    )
    # a 403 that is not a rate limit is a permission problem: no back-off
    assert retry_at(403, {"x-ratelimit-remaining": "4999"}, T0, "Resource not accessible") is None
    assert retry_at(500, {"retry-after": "5"}, T0) is None


def test_rate_limit_headers() -> None:
    got = rate_limit_from_headers(
        {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4321", "x-ratelimit-reset": "0"}
    )
    assert got is not None and (got.limit, got.remaining) == (5000, 4321)
    assert got.reset_at == datetime.fromtimestamp(0, UTC)
    assert rate_limit_from_headers({}, got) is got  # nothing new: keep what was known


def stages(outcome: list[tuple[str, str | None]], done: bool) -> list[StageStatus]:
    return [s.status for s in stages_from_jobs(train_jobs(1, T0, outcome), DEFAULT_STAGES, done)]


def test_stages_follow_the_steps() -> None:
    assert stages([OK, RUNNING, QUEUED, QUEUED], False) == [S, R, P, P]
    assert stages([FAILED, SKIPPED, SKIPPED, SKIPPED], True) == [F, K, K, K]
    assert stages([OK, OK, OK, OK], True) == [S, S, S, S]
    st = stages_from_jobs(train_jobs(1, T0, [OK, OK, OK, OK]), DEFAULT_STAGES, True)
    assert st[0].started_at == T0 + timedelta(seconds=5)
    assert st[0].finished_at == T0 + timedelta(seconds=35)
    assert st[0].elapsed(T0) == timedelta(seconds=30)


def test_a_failed_step_no_stage_covers_is_still_shown() -> None:
    jobs = train_jobs(1, T0, [SKIPPED, SKIPPED, SKIPPED, SKIPPED])
    jobs[0]["steps"][1] = step("Run actions/checkout@v4", 2, "completed", "failure", T0, T0)
    got = stages_from_jobs(jobs, DEFAULT_STAGES, True)
    assert [s.status for s in got] == [K, K, K, K, F]
    assert got[-1].name == "Run actions/checkout@v4"


def test_no_stage_rules_means_one_stage_per_job() -> None:
    jobs = train_jobs(1, T0, [OK, OK, FAILED, SKIPPED])
    got = stages_from_jobs(jobs, (), True)
    assert [(s.name, s.status) for s in got] == [("cut", F)]
    rules = (StageRule(name="notes", steps=("generate notes",)),)
    assert [s.status for s in stages_from_jobs(jobs, rules, True)] == [S, F]


def rel(*names: str, body: str = "notes", digests: bool = True) -> dict[str, object]:
    files = [
        asset(i, n, 10, "sha256:" + "a" * 64 if digests else None) for i, n in enumerate(names)
    ]
    return release("v1", body, files, "abc", T0)


V, U, M, X = (
    Verification.VERIFIED,
    Verification.UNVERIFIED,
    Verification.MISSING,
    Verification.FAILED,
)


def states(outcome: list[tuple[str, str | None]], r: dict[str, object] | None) -> dict[str, str]:
    published = release_from_payload(r) if r is not None else None
    got = artefact_states(DEFAULT_ARTEFACTS, train_jobs(1, T0, outcome), published)
    return {k: v.value for k, v in got.items()}


def test_verification_needs_the_verify_step_not_just_a_listing() -> None:
    full = rel("checksums.txt", "x.intoto.jsonl", "x.spdx.json")
    # listed, and the verify step concluded success: verified
    assert states([OK, OK, OK, OK], full) == {
        "digests": V,
        "provenance": V,
        "sbom": U,  # listed, but nothing in the workflow verifies an SBOM
        "notes": U,
    }
    # listed, but the verify step never ran (skipped): unverified, not verified
    assert states([SKIPPED, OK, OK, OK], full)["provenance"] == U
    # still running: unverified
    assert states([RUNNING, QUEUED, QUEUED, QUEUED], full)["digests"] == U
    # the verify step failed: failed, even though the files are listed
    assert states([FAILED, SKIPPED, SKIPPED, SKIPPED], full) == {
        "digests": X,
        "provenance": X,
        "sbom": U,
        "notes": U,
    }


def test_missing_artefacts() -> None:
    no_sbom = rel("checksums.txt", "x.intoto.jsonl", body="")
    got = states([OK, OK, OK, OK], no_sbom)
    assert got == {"digests": V, "provenance": V, "sbom": M, "notes": M}
    # verified in the workflow, but nothing published: missing, not verified
    assert set(states([OK, OK, OK, OK], None).values()) == {M}
    # digests: GitHub's per-asset digests count as present when every asset has one
    assert states([OK, OK, OK, OK], rel("x.intoto.jsonl", digests=True))["digests"] == V
    assert states([OK, OK, OK, OK], rel("x.intoto.jsonl", digests=False))["digests"] == M


def test_release_belongs_to_the_run_that_cut_it() -> None:
    r = run(1, 1, TRAIN, "completed", "success", T0, T0 + timedelta(minutes=2))
    same_sha = release("v1", "", [], r["head_sha"], T0 - timedelta(days=1))
    assert release_matches_run(same_sha, r)
    during = release("v1", "", [], "other", T0 + timedelta(minutes=1))
    assert release_matches_run(during, r)
    before = release("v0", "", [], "other", T0 - timedelta(minutes=1))
    assert not release_matches_run(before, r)


def test_run_from_payload_uses_the_release_tag_and_claims_nothing_unknown() -> None:
    r = run(7, 42, TRAIN, "completed", "failure", T0, T0 + timedelta(minutes=2))
    jobs = train_jobs(7, T0, [FAILED, SKIPPED, SKIPPED, SKIPPED])
    got = run_from_payload(r, jobs, stages=DEFAULT_STAGES, artefacts=None)
    assert (got.id, got.version, got.status) == ("7", "#42", F)
    assert got.finished_at == T0 + timedelta(minutes=2) and got.artifacts == {}
    ours = release("v2026.03.16-m42", "n", [], r["head_sha"], T0)
    got = run_from_payload(
        r, jobs, stages=DEFAULT_STAGES, artefacts=DEFAULT_ARTEFACTS, release=ours
    )
    assert got.version == "v2026.03.16-m42" and got.artifacts["provenance"] is X
