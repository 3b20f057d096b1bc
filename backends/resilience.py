"""One client policy for every adapter: adaptive timeouts, a retry budget, backoff with jitter.

Pure logic (no I/O of its own), the sprint plan's NET-7402. Every HTTP adapter keeps one
ClientPolicy per backend client, so each backend's timeout follows its own latency.

- AdaptiveTimeout follows the backend's observed latency: a high quantile of recent call
  durations (an EWMA of mean and deviation, like TCP's RTO) times a margin, clamped to
  [floor, ceiling]. A call that hits its timeout doubles the next one (within bounds).
- RetryBudget allows retries only while they stay under a fraction (about 20%) of recent
  calls, so a struggling backend is not hammered by retry storms.
- backoff() is exponential backoff with jitter (full by default, or "equal").

Reads go through `call`/`call_sync`; writes get `write_timeout_s` (the ceiling), once. Which
errors of which client mean "no answer" is backends.transport_errors'. `call` hands the
limit to the client and lets the client's own timeout fire first (it knows the host and
whether it was connecting or reading, so its error can say so); its own cut, BACKSTOP_S
later, is for a client that does not honour it, and says "no answer within N s".
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

T = TypeVar("T")

FLOOR_S = 0.5  # never wait less than this for a backend (unless its ceiling is lower)
MAX_ATTEMPTS = 2  # one try and at most one retry per call; the next poll is the next try
RETRY_STATUSES = frozenset({500, 502, 503, 504})  # HTTP answers that say "try again"
BACKSTOP_S = 0.2  # how long after the limit `call` cuts a call its client has not


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
        """A call hit the timeout: the next gets twice the limit that expired (like RTO
        back-off; not twice the mean, so a timeout at the floor widens), within bounds."""
        self._mean = min(self.ceiling_s, 2 * self.current_s)

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

    def on_retry_dropped(self) -> None:
        """A booked retry that never went out (cancelled during its backoff)."""
        self._retries = max(0.0, self._retries - 1)


def backoff(
    attempt: int,
    base_s: float = 0.2,
    cap_s: float = 30.0,
    rng: random.Random | Callable[[], float] | None = None,
    jitter: Literal["full", "equal"] = "full",
) -> float:
    """Exponential backoff: the step is min(cap, base * 2**attempt). "full" jitter is
    uniform in [0, step]; "equal" keeps half the step and randomises the other half (a
    reconnect loop that must never spin)."""
    draw = rng.random if isinstance(rng, random.Random) else (rng or random.random)
    step = min(cap_s, base_s * 2.0 ** min(attempt, 60))
    u: float = draw()
    if jitter == "equal":
        return step / 2 + u * step / 2
    return u * step


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError)


def _always(_: BaseException) -> bool:
    return True


@dataclass
class ClientPolicy:
    """What an adapter keeps per backend: its timeout, its retry budget, how many tries,
    and counters of what happened (for tests, debugging and `describe()`)."""

    timeout: AdaptiveTimeout = field(default_factory=AdaptiveTimeout)
    budget: RetryBudget = field(default_factory=RetryBudget)
    max_attempts: int = MAX_ATTEMPTS
    rng: random.Random = field(default_factory=random.Random)
    backoff_base_s: float = 0.2
    backoff_cap_s: float = 30.0
    calls: int = 0  # logical calls (what the budget counts)
    attempts: int = 0  # requests sent, retries included
    retries: int = 0
    timeouts: int = 0
    backoff_s: float = 0.0  # total time slept between attempts
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def for_backend(
        cls, ceiling_s: float, *, floor_s: float = FLOOR_S, max_attempts: int = MAX_ATTEMPTS
    ) -> ClientPolicy:
        """The house policy for one backend client: starts at its configured timeout (the
        ceiling, what it waited before it learnt anything), adapts down to the floor."""
        floor = min(floor_s, ceiling_s)
        return cls(
            timeout=AdaptiveTimeout(floor_s=floor, ceiling_s=ceiling_s, initial_s=ceiling_s),
            max_attempts=max_attempts,
        )

    @property
    def current_s(self) -> float:  # the timeout the next read gets
        return self.timeout.current_s

    @property
    def write_timeout_s(self) -> float:  # not retried: never cut short by fast reads
        return self.timeout.ceiling_s

    def describe(self) -> str:
        t = self.timeout
        return (
            f"timeout {t.current_s:.2f}s (floor {t.floor_s:g}s, ceiling {t.ceiling_s:g}s); "
            f"{self.retries} retries, {self.timeouts} timeouts in {self.calls} calls"
        )

    # --- the steps, shared by the async and the blocking call ------------------------------

    def _begin(self) -> None:
        with self._lock:
            self.budget.on_request()
            self.calls += 1

    def _limit(self) -> float:
        with self._lock:
            self.attempts += 1
            return self.timeout.current_s

    def _ok(self, seconds: float) -> None:
        with self._lock:
            self.timeout.observe(seconds)

    def _failed(
        self,
        err: BaseException,
        attempt: int,
        retryable: Callable[[BaseException], bool],
        is_timeout: Callable[[BaseException], bool],
    ) -> float | None:
        """Book a failed attempt; the delay before the next one, or None: give up."""
        with self._lock:
            timed_out = is_timeout(err)
            if timed_out:
                self.timeouts += 1
                self.timeout.timed_out()
            if attempt >= self.max_attempts or not (timed_out or retryable(err)):
                return None
            if not self.budget.can_retry():
                return None
            self.budget.on_retry()
            self.retries += 1
            delay = backoff(attempt, self.backoff_base_s, self.backoff_cap_s, rng=self.rng)
            self.backoff_s += delay
            return delay

    def _dropped(self) -> None:
        """Un-book a retry cancelled during its backoff: it never reached the backend, so
        it spends no budget and is not counted."""
        with self._lock:
            self.budget.on_retry_dropped()
            self.retries -= 1

    # --- running a call -----------------------------------------------------------------

    async def call(
        self,
        fn: Callable[[float], Awaitable[T]],
        retryable: Callable[[BaseException], bool] = _always,
        is_timeout: Callable[[BaseException], bool] = _is_timeout,
    ) -> T:
        """Run `fn(timeout_s)` under the policy: adaptive timeout, budgeted retries with
        jittered backoff. Re-raises the last error when out of attempts or budget. A
        timeout (`is_timeout`) is always retryable; other errors only if `retryable`."""
        loop = asyncio.get_running_loop()
        self._begin()
        attempt = 0
        while True:
            limit = self._limit()
            started = loop.time()
            try:
                result = await asyncio.wait_for(fn(limit), timeout=limit + BACKSTOP_S)
            except TimeoutError as exc:  # the client's own timeout, or the backstop's
                err: Exception = exc
                if type(exc) is TimeoutError and not str(exc):
                    err = TimeoutError(f"no answer within {round(limit, 1):g} s")
                    err.__cause__ = exc
            except Exception as exc:
                err = exc
            else:
                self._ok(loop.time() - started)
                return result
            attempt += 1
            delay = self._failed(err, attempt, retryable, is_timeout)
            if delay is None:
                raise err
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                self._dropped()  # the caller gave up (e.g. a sibling query failed)
                raise

    def call_sync(
        self,
        fn: Callable[[float], T],
        retryable: Callable[[BaseException], bool] = _always,
        is_timeout: Callable[[BaseException], bool] = _is_timeout,
        sleep: Callable[[float], None] = time.sleep,
    ) -> T:
        """`call` for blocking clients (run in a worker thread): `fn` must honour the
        timeout it is given (requests' and urllib3's `timeout=`), nothing can cut it."""
        self._begin()
        attempt = 0
        while True:
            limit = self._limit()
            started = time.monotonic()
            try:
                result = fn(limit)
            except Exception as exc:
                err: Exception = exc
            else:
                self._ok(time.monotonic() - started)
                return result
            attempt += 1
            delay = self._failed(err, attempt, retryable, is_timeout)
            if delay is None:
                raise err
            sleep(delay)
