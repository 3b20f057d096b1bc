"""The shared client policy: adaptive timeouts, retry budget, jittered backoff."""

from __future__ import annotations

import asyncio
import random

import pytest

from backends.resilience import AdaptiveTimeout, ClientPolicy, RetryBudget, backoff
from backends.transport_errors import blocking_timeout, blocking_transport


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


def test_a_timeout_at_the_floor_really_widens_the_next_try() -> None:
    t = AdaptiveTimeout(floor_s=0.5, ceiling_s=3.0, initial_s=3.0)
    for _ in range(20):
        t.observe(0.01)
    assert t.current_s == 0.5
    t.timed_out()
    assert t.current_s == pytest.approx(1.0, abs=0.01)  # twice the limit that expired
    t.timed_out()
    t.timed_out()
    assert t.current_s == 3.0


def test_equal_jitter_keeps_half_the_step() -> None:
    assert backoff(3, base_s=0.5, cap_s=30.0, rng=lambda: 0.0, jitter="equal") == 2.0
    assert backoff(3, base_s=0.5, cap_s=30.0, rng=lambda: 1.0, jitter="equal") == 4.0
    assert backoff(3, base_s=0.5, cap_s=30.0, rng=lambda: 1.0) == 4.0
    assert backoff(10_000, base_s=0.5, cap_s=30.0, rng=lambda: 1.0) == 30.0  # no overflow


async def test_the_budget_counts_calls_not_attempts() -> None:
    """Retries stay near 20% of *calls*: N failing calls send at most 1.2 N + 3 requests."""
    policy = ClientPolicy.for_backend(1.0, max_attempts=3)
    policy.backoff_base_s = 0.0
    sent = 0

    async def down(limit: float) -> None:
        nonlocal sent
        sent += 1
        raise ConnectionResetError("reset")

    for _ in range(200):
        with pytest.raises(ConnectionResetError):
            await policy.call(down)
    assert policy.calls == 200 and policy.attempts == sent
    assert 200 < sent <= 200 * 1.2 + 3
    assert policy.retries == sent - 200


def test_blocking_calls_see_a_timeout_however_it_is_wrapped() -> None:
    import requests
    import urllib3

    read = urllib3.exceptions.ReadTimeoutError(None, "/", "Read timed out.")  # type: ignore[arg-type]
    wrapped = requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", read))  # type: ignore[arg-type]
    assert blocking_timeout(wrapped) and blocking_transport(wrapped)
    assert not blocking_timeout(ValueError("no")) and not blocking_transport(ValueError("no"))
    assert blocking_transport(ConnectionRefusedError("refused"))

    policy = ClientPolicy.for_backend(2.0)
    limits: list[float] = []
    naps: list[float] = []

    def flaky(limit: float) -> str:
        limits.append(limit)
        if len(limits) == 1:
            raise wrapped
        return "ok"

    assert policy.call_sync(flaky, is_timeout=blocking_timeout, sleep=naps.append) == "ok"
    assert limits == [2.0, 2.0]  # the ceiling doubled is still the ceiling
    assert policy.timeouts == 1 and policy.retries == 1 and len(naps) == 1
    assert "timeout" in policy.describe() and "1 retries" in policy.describe()


def test_writes_get_the_ceiling_and_the_floor_never_exceeds_it() -> None:
    policy = ClientPolicy.for_backend(0.3)
    assert policy.timeout.floor_s == 0.3 and policy.write_timeout_s == 0.3
    policy = ClientPolicy.for_backend(5.0)
    for _ in range(30):
        policy.timeout.observe(0.001)
    assert policy.current_s == 0.5 and policy.write_timeout_s == 5.0


async def test_a_retry_cancelled_in_its_backoff_is_not_counted_or_charged() -> None:
    """A poll that fails early cancels its sibling queries; one waiting out a backoff never
    sends its retry, so it must not count as a retry nor spend the budget."""
    policy = ClientPolicy(max_attempts=3, rng=random.Random(1), backoff_base_s=5.0)
    sent = []

    async def failing(limit: float) -> str:
        sent.append(limit)
        raise ConnectionError("503")

    task = asyncio.ensure_future(policy.call(failing))
    for _ in range(100):  # until it has failed once and sleeps before the retry
        await asyncio.sleep(0.01)
        if policy.backoff_s > 0:
            break
    assert len(sent) == 1 and policy.retries == 1
    before = policy.budget._retries
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(sent) == 1  # the retry never went out ...
    assert policy.retries == 0  # ... so it is not counted
    assert policy.budget._retries == pytest.approx(before - 1)  # ... nor charged
