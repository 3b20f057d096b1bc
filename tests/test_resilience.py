"""The shared client policy: adaptive timeouts, retry budget, jittered backoff."""

from __future__ import annotations

import asyncio
import random

import pytest

from backends.resilience import AdaptiveTimeout, ClientPolicy, RetryBudget, backoff


def test_timeout_follows_observed_latency_within_bounds() -> None:
    t = AdaptiveTimeout(floor_s=0.1, ceiling_s=5.0, initial_s=2.0)
    assert t.current_s == 2.0
    for _ in range(50):
        t.observe(0.02)
    fast = t.current_s
    assert fast == pytest.approx(0.1)  # clamped to the floor
    for _ in range(50):
        t.observe(1.0)
    slow = t.current_s
    assert 1.0 < slow <= 5.0
    for _ in range(10):
        t.timed_out()
    assert t.current_s == 5.0  # never beyond the ceiling


def test_retry_budget_caps_retries_near_twenty_percent() -> None:
    b = RetryBudget(ratio=0.2, min_per_window=0)
    retries = 0
    for _ in range(1000):
        b.on_request()
        if b.can_retry():  # every request wants to retry
            b.on_retry()
            retries += 1
    assert 150 <= retries <= 210


def test_backoff_is_full_jitter_and_capped() -> None:
    rng = random.Random(7)
    values = [backoff(a, base_s=0.1, cap_s=1.0, rng=rng) for a in range(10) for _ in range(50)]
    assert all(0 <= v <= 1.0 for v in values)
    assert len({round(v, 6) for v in values}) > 400  # jitter, not a fixed schedule


async def test_policy_retries_then_succeeds_and_learns() -> None:
    policy = ClientPolicy(max_attempts=3, rng=random.Random(1))
    policy.timeout = AdaptiveTimeout(floor_s=0.05, ceiling_s=0.3, initial_s=0.1)
    calls = []

    async def flaky(limit: float) -> str:
        calls.append(limit)
        if len(calls) == 1:
            await asyncio.sleep(1)  # hangs past the timeout
        return "ok"

    assert await policy.call(flaky) == "ok"
    assert len(calls) == 2
    assert calls[1] > calls[0]  # the timeout widened after timing out


async def test_policy_gives_up_on_non_retryable_and_when_out_of_attempts() -> None:
    policy = ClientPolicy(max_attempts=2, rng=random.Random(1))
    n = 0

    async def broken(limit: float) -> None:
        nonlocal n
        n += 1
        raise ConnectionRefusedError("down")

    with pytest.raises(ConnectionRefusedError):
        await policy.call(broken)
    assert n == 2
    n = 0
    with pytest.raises(ConnectionRefusedError):
        await policy.call(broken, retryable=lambda e: not isinstance(e, ConnectionRefusedError))
    assert n == 1
