"""The gateway: two routes, heavy-tailed latency, fault injection, adaptive inflight limits.

p99.9 comes from a quantile sketch over the window (backends.quantile, relative error
0.5 %), not from sorting the samples.

Each route simulates a sampled subset of its requests (``sample_rate`` per second, far
below its request rate) with its own RNG stream, so a fault on one route never changes
what the other one draws. Every sample consumes the same number of random draws whether
or not a fault applies, so once a fault window ends the route is back on the exact path
it would have taken without it.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from backends.local.sim.window import CounterWindow, SketchWindow
from backends.models import CacheLayer, RouteLatency, RouteState
from backends.quantile import DEFAULT_ALPHA

WINDOW_BUCKETS = 60  # one-second buckets: the 60 s window
HISTORY_POINTS = 720  # one point per 5 s: the last hour
LIMIT_MIN, LIMIT_MAX, LIMIT_INITIAL, LIMIT_STEP = 50, 400, 200, 10
P99_HIGH_MS, P99_LOW_MS = 1500.0, 800.0
QUEUE_CAP_MS = 10_000.0  # the gateway times a queued request out after this
ABORT_LATENCY_MS = 2.0  # an injected abort answers at once
NV_MAGICCONST = 4 * math.exp(-0.5) / math.sqrt(2.0)  # as in random.py


@dataclass(frozen=True, slots=True)
class RouteParams:
    name: str
    slo_ms: float
    rps: float  # real request rate (for Little's law); samples are a subset
    median_ms: float  # lognormal body
    sigma: float
    tail_p: float  # rare slow tail: uniform in [tail_lo_ms, tail_hi_ms)
    tail_lo_ms: float
    tail_hi_ms: float
    base_err: float
    hosts: tuple[str, ...]  # fault-window target hosts that hit this route


ROUTE_PARAMS: tuple[RouteParams, ...] = (
    RouteParams(
        "GET /docs/:id", 250.0, 120.0, 42.0, 0.38, 0.0005, 160.0, 420.0, 0.001, ("docs-api",)
    ),
    RouteParams(
        "GET /search", 400.0, 60.0, 95.0, 0.36, 0.0005, 280.0, 650.0, 0.002, ("search-api",)
    ),
)
ROUTES: tuple[str, ...] = tuple(p.name for p in ROUTE_PARAMS)
CACHE_BASE: tuple[tuple[str, float, float], ...] = (
    ("edge", 0.86, 0.0),
    ("app", 0.71, 2.0),
    ("db", 0.93, 4.0),
)

SampleHook = Callable[[str, float, float, bool], None]
"""Called per simulated sample: route, offset seconds since origin, latency ms, error."""


def adapt_limit(samples: Sequence[float], limit: int) -> int:
    """The plan's rule (5.6): p99 = sorted[floor(n * 0.99)]; > 1500 shrinks, < 800 grows."""
    if not samples:
        return limit
    s = sorted(samples)
    p99 = s[math.floor(len(s) * 0.99)]
    if p99 > P99_HIGH_MS and limit > LIMIT_MIN:
        limit -= LIMIT_STEP
    elif p99 < P99_LOW_MS:
        limit += LIMIT_STEP
    return max(LIMIT_MIN, min(LIMIT_MAX, limit))


@dataclass(frozen=True, slots=True)
class Effect:
    """What the active fault windows do to one route right now (combined)."""

    delays: tuple[tuple[float, float], ...] = ()  # (probability, delay ms)
    abort_p: float = 0.0


NO_EFFECT = Effect()


class Route:
    def __init__(self, seed: int, p: RouteParams, sample_rate: float) -> None:
        self.name, self.slo_ms, self.rps, self.sigma = p.name, p.slo_ms, p.rps, p.sigma
        self.tail_p, self.tail_lo, self.tail_hi = p.tail_p, p.tail_lo_ms, p.tail_hi_ms
        self.base_err = p.base_err
        self.mu = math.log(p.median_ms)
        self.sample_rate = sample_rate
        self._rng = random.Random(f"{seed}:route:{self.name}")
        self.samples = SketchWindow(WINDOW_BUCKETS, alpha=DEFAULT_ALPHA)
        self.counts = CounterWindow(1, WINDOW_BUCKETS)  # total, errors
        self.history: deque[float] = deque(maxlen=HISTORY_POINTS)
        self.limit = LIMIT_INITIAL
        self.inflight = 0.0
        self.blocked = 0.0
        self._queue_p = 0.0
        self._queue_ms = 0.0
        self._period: list[float] = []
        self._period_service = 0.0
        self._acc = 0.0

    def reset(self, bucket: int) -> None:
        self.samples.reset(bucket)
        self.counts.reset(bucket)
        self.history.clear()
        self._period.clear()
        self._period_service = 0.0

    def step(self, t0: float, dt: float, eff: Effect, hook: SampleHook | None) -> None:
        if eff is NO_EFFECT and hook is None:
            self.step_plain(1, dt)
            return
        self._acc += self.sample_rate * dt
        n = int(self._acc)
        self._acc -= n
        if n == 0:
            return
        rnd, log, exp = self._rng.random, math.log, math.exp
        mu, sigma, tail_p, tail_lo = self.mu, self.sigma, self.tail_p, self.tail_lo
        tail_span, base_err = self.tail_hi - self.tail_lo, self.base_err
        abort_p, delays = eff.abort_p, eff.delays
        queue_p, queue_ms = self._queue_p, self._queue_ms
        lats: list[float] = []
        service_sum = 0.0
        errors = 0
        for i in range(n):
            # self._rng.lognormvariate(mu, sigma), inlined: same draws and float operations
            while True:
                u1 = rnd()
                u2 = 1.0 - rnd()
                z = NV_MAGICCONST * (u1 - 0.5) / u2
                if z * z / 4.0 <= -log(u2):
                    break
            svc = exp(mu + z * sigma)
            r_tail, r_delay, r_abort, r_err, r_queue = rnd(), rnd(), rnd(), rnd(), rnd()
            if r_tail < tail_p:
                svc = tail_lo + tail_span * (r_tail / tail_p)
            added = 0.0
            for p, ms in delays:
                if r_delay < p:
                    added += ms
            if r_abort < abort_p:
                err = True
                svc = ABORT_LATENCY_MS + added
            else:
                svc += added
                err = r_err < base_err
            lat = svc + queue_ms if r_queue < queue_p else svc
            service_sum += svc
            errors += err
            lats.append(lat)
            if hook is not None:
                self.samples.add_many((lat,))  # in the window before the hook runs
                hook(self.name, t0 + dt * i / n, lat, err)
        if hook is None:
            self.samples.add_many(lats)
        self._period += lats
        self._period_service += service_sum
        self.counts.cur_total[0] += n
        self.counts.cur_hits[0] += errors

    def step_plain(self, ticks: int, dt: float) -> None:
        """step() for `ticks` ticks in a row with NO_EFFECT and no hook (t0 plays no part), minus
        what does nothing then: adding no delay (svc + 0.0 is svc: svc >= +0.0), no abort."""
        rnd, log, exp = self._rng.random, math.log, math.exp
        mu, sigma, tail_p, tail_lo = self.mu, self.sigma, self.tail_p, self.tail_lo
        tail_span, base_err = self.tail_hi - self.tail_lo, self.base_err
        queue_p, queue_ms = self._queue_p, self._queue_ms
        acc, rate, period_service = self._acc, self.sample_rate, self._period_service
        lats: list[float] = []
        errors = 0
        for _ in range(ticks):  # the per-tick arithmetic of step(), on locals
            acc += rate * dt
            n = int(acc)
            acc -= n
            if n == 0:
                continue
            service_sum = 0.0
            for _ in range(n):
                while True:  # as in step()
                    u1 = rnd()
                    u2 = 1.0 - rnd()
                    z = NV_MAGICCONST * (u1 - 0.5) / u2
                    if z * z / 4.0 <= -log(u2):
                        break
                svc = exp(mu + z * sigma)
                r_tail, _r_delay, _r_abort, r_err, r_queue = rnd(), rnd(), rnd(), rnd(), rnd()
                if r_tail < tail_p:
                    svc = tail_lo + tail_span * (r_tail / tail_p)
                lats.append(svc + queue_ms if r_queue < queue_p else svc)
                service_sum += svc
                if r_err < base_err:
                    errors += 1
            period_service += service_sum
        self._acc, self._period_service = acc, period_service
        self.samples.add_many(lats)
        self._period += lats
        self.counts.cur_total[0] += len(lats)
        self.counts.cur_hits[0] += errors

    def end_second(self, t: float) -> None:
        """Adapt the limit on the second that just ended; Little's law for inflight."""
        period = self._period
        if period:
            self.limit = adapt_limit(period, self.limit)
            mean_s = self._period_service / len(period) / 1000.0
            demand = self.rate(t) * mean_s
            self.inflight = min(demand, float(self.limit))
            self.blocked = max(0.0, demand - self.limit)
            self._queue_p = self.blocked / demand if demand > 0 else 0.0
            self._queue_ms = min(QUEUE_CAP_MS, self.blocked / self.limit * mean_s * 1000.0)
            period.clear()
            self._period_service = 0.0

    def rate(self, t: float) -> float:
        return self.rps * (1.0 + 0.08 * math.sin(2 * math.pi * t / 900.0))

    def rotate_to(self, bucket: int) -> None:
        self.samples.rotate_to(bucket)
        self.counts.rotate_to(bucket)

    def p999(self) -> float | None:
        """From the window's quantile sketch: within DEFAULT_ALPHA of the exact p99.9."""
        return self.samples.quantile(0.999)

    def push_history(self) -> None:
        p = self.p999()
        if p is not None:
            self.history.append(round(p, 1))

    def snapshot(self) -> RouteLatency:
        total, errors = self.counts.totals()[0], self.counts.hits()[0]
        p = self.samples.quantile(0.999)
        b = self.samples.quantile_bounds(0.999)
        return RouteLatency(
            route=self.name,
            p999_ms=None if p is None else round(p, 1),
            state=RouteState.OK if p is not None else RouteState.NO_DATA,
            p999_low_ms=None if b is None else round(b[0], 1),
            p999_high_ms=None if b is None else round(b[1], 1),
            slo_ms=self.slo_ms,
            observations=len(self.samples),
            error_rate=errors / total if total else None,  # no requests: unknown, as Prometheus
            limit=float(self.limit),
            inflight=round(self.inflight, 1),
            blocked=round(self.blocked, 1),
            history=tuple(self.history),
        )


class Gateway:
    def __init__(self, seed: int, sample_rate: float = 30.0) -> None:
        self.routes = tuple(Route(seed, p, sample_rate) for p in ROUTE_PARAMS)
        self._cache_rng = random.Random(f"{seed}:cache")
        self.cache = [base for _, base, _ in CACHE_BASE]
        self.hook: SampleHook | None = None

    def reset(self, bucket: int) -> None:
        for r in self.routes:
            r.reset(bucket)

    def step(self, t0: float, dt: float, effects: dict[str, Effect]) -> None:
        for r in self.routes:
            r.step(t0, dt, effects.get(r.name, NO_EFFECT), self.hook)

    def step_plain(self, ticks: int, dt: float) -> None:
        """step() for `ticks` ticks in a row, with no faults and no hook."""
        for r in self.routes:
            r.step_plain(ticks, dt)

    def end_second(self, t: float, bucket: int) -> None:
        for r in self.routes:
            r.end_second(t)
            r.rotate_to(bucket)
        u = self._cache_rng.uniform
        for i, (_, base, phase) in enumerate(CACHE_BASE):
            target = base + 0.025 * math.sin(2 * math.pi * t / 420.0 + phase) + u(-0.01, 0.01)
            self.cache[i] = min(1.0, max(0.0, 0.7 * self.cache[i] + 0.3 * target))

    def push_history(self) -> None:
        for r in self.routes:
            r.push_history()

    def snapshot(self) -> tuple[tuple[RouteLatency, ...], tuple[CacheLayer, ...]]:
        routes = tuple(r.snapshot() for r in self.routes)
        cache = tuple(
            CacheLayer(layer=name, hit_ratio=round(v, 4))
            for (name, _, _), v in zip(CACHE_BASE, self.cache, strict=True)
        )
        return routes, cache
