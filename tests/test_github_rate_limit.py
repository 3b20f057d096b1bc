"""The `github` backend under GitHub's rate limits (local server): Retry-After backs off
and keeps the data, an exhausted budget waits for the reset."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from backends.contracts import ActionRefused
from backends.models import HealthState
from tests.fake_github import FakeGitHub
from tests.github_helpers import ME, github_sources


async def test_retry_after_backs_off_keeps_data_and_shows_budget(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = github_sources(gh, monkeypatch)
    release = src["release"]
    good = await release.snapshot()
    gh.throttle(429, retry_after=1)
    limited = await release.snapshot()
    assert limited.health.state is HealthState.ERROR
    assert "rate limit" in (limited.health.last_error or "")
    assert limited.current == good.current and limited.recent == good.recent  # last data kept
    assert limited.rate_limit is not None and limited.rate_limit.retry_at is not None
    assert limited.rate_limit.remaining == gh.remaining  # the budget is still shown
    sent = len(gh.seen)
    again = await release.snapshot()  # inside the Retry-After window: nothing is sent
    assert len(gh.seen) == sent and again.health.state is HealthState.ERROR
    with pytest.raises(ActionRefused, match="rate limit"):
        await release.trigger_rehearsal(ME, "rehearse the rollback of m46")
    for _ in range(40):  # bounded: Retry-After is 1 s
        await asyncio.sleep(0.05)
        if datetime.now(UTC) >= limited.rate_limit.retry_at:
            break
    recovered = await release.snapshot()
    assert recovered.health.state is HealthState.OK and len(gh.seen) > sent
    assert recovered.rate_limit is not None and recovered.rate_limit.retry_at is None
    await src.aclose()


async def test_exhausted_budget_waits_for_the_reset(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    gh.remaining = 3  # not enough for one full poll
    src = github_sources(gh, monkeypatch)
    snap = await src["release"].snapshot()
    assert snap.health.state is HealthState.ERROR and "rate limit" in str(snap.health.last_error)
    rl = snap.rate_limit
    assert rl is not None and rl.remaining == 0 and rl.limit == 5000
    assert rl.retry_at is not None and rl.reset_at is not None and rl.retry_at == rl.reset_at
    assert (rl.retry_at - datetime.now(UTC)).total_seconds() > 3000
    # x-ratelimit-remaining said 0: the client stopped before GitHub had to refuse it
    assert [s.status for s in gh.seen] == [200, 200, 200]
    await src["release"].snapshot()
    assert len(gh.seen) == 3  # no request until the reset
    await src.aclose()
    # a client that did not know (a fresh one): GitHub's 403 says when to come back
    src = github_sources(gh, monkeypatch)
    snap = await src["release"].snapshot()
    assert [s.status for s in gh.seen[3:]] == [403]
    rl = snap.rate_limit
    assert rl is not None and rl.remaining == 0 and rl.retry_at == rl.reset_at
    assert rl.retry_at is not None and (rl.retry_at - datetime.now(UTC)).total_seconds() > 3000
    await src.aclose()
