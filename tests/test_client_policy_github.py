"""The shared client policy in the `github` backend, against the local fake GitHub: the
read timeout follows GitHub's latency, 5xx reads are retried within the budget, and a
workflow dispatch (POST) or a rate limit is never retried."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from backends.config import load
from backends.contracts import ActionRefused
from backends.github.options import GitHubOptions
from backends.github.source import GitHubRelease
from backends.models import Actor, HealthState
from backends.registry import BackendContext
from backends.wiring import build_sources
from tests.fake_github import FakeGitHub, serve
from tests.github_payloads import OWNER, REHEARSAL, REPO, scenario
from tests.test_client_policy_common import (
    CEILING_S,
    Rig,
    adapts_up_then_down,
    retries_within_budget,
)

TOKEN = "ghp_clientPolicyTestToken0123456789abcdef"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with serve(FakeGitHub(token=TOKEN, data=scenario(datetime.now(UTC), runs=2))) as fake:
        yield fake


def rig(gh: FakeGitHub, tmp_path: Path) -> tuple[Rig, GitHubRelease]:
    opts = GitHubOptions(
        base_url=gh.base_url,
        owner=OWNER,
        repo=REPO,
        token=SecretStr(TOKEN),
        timeout_s=CEILING_S,
        per_page=2,
        recent=1,
    )
    src = GitHubRelease(opts, BackendContext(data_dir=tmp_path))

    async def poll() -> HealthState:
        return (await src.snapshot()).health.state

    def delay(s: float) -> None:
        gh.delay_s = s

    return Rig(
        policy=src.client_policy,
        poll=poll,
        received=lambda: len(gh.seen),
        delay=delay,
        fail_all=lambda: gh.fail_next(10_000, 502),
        heal=gh.heal,
    ), src


async def test_timeout_follows_github_latency(gh: FakeGitHub, tmp_path: Path) -> None:
    r, src = rig(gh, tmp_path)
    try:
        await adapts_up_then_down(r)
    finally:
        await src.aclose()


async def test_5xx_reads_are_retried_within_the_budget(gh: FakeGitHub, tmp_path: Path) -> None:
    r, src = rig(gh, tmp_path)
    try:
        assert await r.poll() is HealthState.OK
        gh.fail_next(1, 502)
        bad = await src.snapshot()  # the budget allows a retry here: that one is answered
        assert bad.health.state is HealthState.OK and src.client_policy.retries == 1
        await retries_within_budget(r)
    finally:
        await src.aclose()


async def test_a_dispatch_and_a_rate_limit_are_never_retried(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in {
        "PANES__RELEASE": "github",
        "BACKENDS__GITHUB__BASE_URL": gh.base_url,
        "BACKENDS__GITHUB__OWNER": OWNER,
        "BACKENDS__GITHUB__REPO": REPO,
    }.items():
        monkeypatch.setenv(f"WATCHFLOOR_{k}", v)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    src = build_sources(load())
    release = src["release"]
    try:
        assert (await release.snapshot()).health.state is HealthState.OK
        gh.fail_next(1, 500, method="POST")
        with pytest.raises(Exception, match="500"):
            await release.trigger_rehearsal(Actor(name="dave"), "rehearse the rollback of m46")
        assert len(gh.requests("POST", f"/workflows/{REHEARSAL}/dispatches")) == 1  # once
        assert release.client_policy.retries == 0
        gh.throttle(429, retry_after=30)
        sent = len(gh.seen)
        limited = await release.snapshot()
        assert "rate limit" in str(limited.health.last_error)
        assert len(gh.seen) == sent + 1  # Retry-After is obeyed, not retried over
        assert release.client_policy.retries == 0
        with pytest.raises(ActionRefused, match="rate limit"):
            await release.trigger_rehearsal(Actor(name="dave"), "rehearse the rollback of m46")
    finally:
        await src.aclose()
