"""One client policy for every adapter: adaptive timeouts, a retry budget, backoff with jitter.

Pure logic (no I/O): adapters ask it how long to wait and whether a retry is allowed, and
tell it what happened. This is the sprint plan's "client adaptive timeout library" (NET-7402).

- AdaptiveTimeout follows the backend's observed latency: a high quantile of recent call
  durations (an EWMA of mean and deviation, like TCP's RTO) times a margin, clamped to
  [floor, ceiling]. A slow backend gets more time; a fast one is not waited on for long.
- RetryBudget allows retries only while they stay under a fraction (about 20%) of recent
  requests, so a struggling backend is not hammered by retry storms.
- backoff() is exponential backoff with full jitter.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class AdaptiveTimeout:
    floor_s: float = 0.5
    ceiling_s: float = 10.0
    initial_s: float = 2.0
    margin: float = 4.0  # timeout = mean + margin * deviation (RFC 6298 uses 4)
    alpha: float = 0.125
    beta: float = 0.25
    _mean: float | None = None
    _dev: float = 0.0

    def observe(self, seconds: float) -> None:
        """Record how long a successful call took."""
        if self._mean is None:
            self._mean, self._dev = seconds, seconds / 2
            return
        self._dev = (1 - self.beta) * self._dev + self.beta * abs(seconds - self._mean)
        self._mean = (1 - self.alpha) * self._mean + self.alpha * seconds

    def timed_out(self) -> None:
        """A call hit the timeout: widen the next one (like RTO back-off), within bounds."""
        base = self._mean if self._mean is not None else self.initial_s
        self._mean = min(self.ceiling_s, base * 2)

    @property
    def current_s(self) -> float:
        if self._mean is None:
            return min(max(self.initial_s, self.floor_s), self.ceiling_s)
        return min(max(self._mean + self.margin * self._dev, self.floor_s), self.ceiling_s)


@dataclass
class RetryBudget:
    """Retries allowed while retries <= ratio * requests over a decaying window."""

    ratio: float = 0.2
    min_per_window: float = 3.0  # always allow a few, so a quiet client can still retry
    decay: float = 0.95  # applied per request: an exponentially decaying window
    _requests: float = 0.0
    _retries: float = 0.0

    def on_request(self) -> None:
        self._requests = self._requests * self.decay + 1
        self._retries *= self.decay

    def can_retry(self) -> bool:
        return self._retries + 1 <= max(self.min_per_window, self.ratio * self._requests)

    def on_retry(self) -> None:
        self._retries += 1


def backoff(
    attempt: int, base_s: float = 0.2, cap_s: float = 30.0, rng: random.Random | None = None
) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
    r = rng or random
    return r.uniform(0, min(cap_s, base_s * 2**attempt))


@dataclass
class ClientPolicy:
    """What an adapter keeps per backend: its timeout, its retry budget, how many tries."""

    timeout: AdaptiveTimeout = field(default_factory=AdaptiveTimeout)
    budget: RetryBudget = field(default_factory=RetryBudget)
    max_attempts: int = 3
    rng: random.Random = field(default_factory=random.Random)

    async def call(
        self,
        fn: Callable[[float], Awaitable[T]],
        retryable: Callable[[BaseException], bool] = lambda _: True,
    ) -> T:
        """Run `fn(timeout_s)` under the policy: adaptive timeout, budgeted retries with
        jittered backoff. Re-raises the last error when out of attempts or budget."""
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            self.budget.on_request()
            started = loop.time()
            limit = self.timeout.current_s
            try:
                result = await asyncio.wait_for(fn(limit), timeout=limit)
            except TimeoutError as exc:
                self.timeout.timed_out()
                err: BaseException = exc
            except Exception as exc:
                err = exc
            else:
                self.timeout.observe(loop.time() - started)
                return result
            attempt += 1
            if attempt >= self.max_attempts or not retryable(err) or not self.budget.can_retry():
                raise err
            self.budget.on_retry()
            await asyncio.sleep(backoff(attempt, rng=self.rng))
