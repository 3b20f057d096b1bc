"""The simulator's gateway (backends.local.sim.gateway): the adaptive inflight limit and
the latency window, checked against the plan's rule and a recount of the samples."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from backends.local.sim import Simulator
from backends.local.sim.gateway import (
    LIMIT_MAX,
    LIMIT_MIN,
    NV_MAGICCONST,
    ROUTE_PARAMS,
    ROUTES,
    Effect,
    Route,
    adapt_limit,
)
from backends.quantile import DEFAULT_ALPHA
from tests.sim_helpers import DOCS, SEARCH, START, at, route, window


def test_adapt_limit_follows_the_plan_rule() -> None:
    fast = [100.0] * 99 + [5000.0]  # sorted[floor(100 * .99)] = 5000 -> shrink
    assert adapt_limit(fast, 200) == 190
    assert adapt_limit([100.0] * 200, 200) == 210
    assert adapt_limit([1000.0] * 50, 200) == 200  # between 800 and 1500: hold
    assert adapt_limit([2000.0] * 10, LIMIT_MIN) == LIMIT_MIN
    assert adapt_limit([10.0] * 10, LIMIT_MAX) == LIMIT_MAX
    assert adapt_limit([], 123) == 123


def test_adaptive_limit_shrinks_under_slow_route_and_grows_back() -> None:
    sim = Simulator(start=START)
    sim.set_faults([window(SEARCH, 10, 70, delay_ms=2000, delay_percent=100)])
    sim.advance_to(at(10))
    before = route(sim, SEARCH)
    assert before.limit == LIMIT_MAX and before.blocked == 0
    sim.advance_to(at(40))
    during = route(sim, SEARCH)
    # p99 > 1500 every second: the limit drops by 10 per second from LIMIT_MAX
    assert during.limit is not None and during.limit <= LIMIT_MAX - 10 * 25
    assert during.limit >= LIMIT_MIN
    sim.advance_to(at(70))
    end = route(sim, SEARCH)
    assert end.limit == LIMIT_MIN
    assert end.blocked > 0 and end.inflight == end.limit  # Little's law demand > limit
    assert route(sim, DOCS).limit == LIMIT_MAX  # the other route is untouched
    sim.advance_to(at(75))
    assert (route(sim, SEARCH).limit or 0) > LIMIT_MIN
    sim.advance_to(at(70 + 60))
    after = route(sim, SEARCH)
    assert after.limit == LIMIT_MAX and after.blocked == 0


def test_latency_window_equals_a_recount_of_the_samples() -> None:
    sim = Simulator(start=START)
    seen: list[tuple[str, datetime, float, bool]] = []
    sim.sample_hook = lambda r, t, ms, err: seen.append((r, t, ms, err))
    sim.set_faults([window("gateway", 30, 50, delay_ms=500, delay_percent=10, abort_percent=3)])
    sim.advance_to(at(75))
    now = sim.now
    for name in ROUTES:
        inside = [
            (ms, err)
            for r, t, ms, err in seen
            if r == name and now - timedelta(seconds=60) <= t < now
        ]
        got = route(sim, name)
        lat = sorted(ms for ms, _ in inside)
        assert got.observations == len(lat) >= 1000
        # p99.9 comes from a quantile sketch: within its relative error of the exact value
        # (plus the 0.1 ms rounding of the snapshot), and the bucket it names holds it
        exact = lat[int(len(lat) * 0.999)]
        assert got.p999_ms is not None
        assert abs(got.p999_ms - exact) <= DEFAULT_ALPHA * exact + 0.05
        assert got.p999_low_ms is not None and got.p999_high_ms is not None
        assert got.p999_low_ms - 0.05 <= exact <= got.p999_high_ms + 0.05
        assert got.error_rate == sum(e for _, e in inside) / len(inside)


def test_routes_draw_what_random_lognormvariate_draws() -> None:
    """Route inlines random.lognormvariate (its loop and constant): the same service times,
    tick by tick through the general path and in one go through the plain one."""
    assert vars(random)["NV_MAGICCONST"] == NV_MAGICCONST
    for p in ROUTE_PARAMS:
        ticked, batched = Route(35, p, 30.0), Route(35, p, 30.0)
        for _ in range(400):  # Effect() is not NO_EFFECT: the general path
            ticked.step(0.0, 0.25, Effect(), None)
        batched.step_plain(400, 0.25)
        ref = random.Random(f"35:route:{p.name}")
        want = []
        for _ in range(3000):
            svc = ref.lognormvariate(ticked.mu, ticked.sigma)
            r_tail, _delay, _abort, _err, _queue = (ref.random() for _ in range(5))
            if r_tail < p.tail_p:
                svc = p.tail_lo_ms + (p.tail_hi_ms - p.tail_lo_ms) * (r_tail / p.tail_p)
            want.append(svc)
        assert ticked._period == batched._period == want  # no queueing yet: latency = service
        assert ticked._period_service == batched._period_service


def test_a_route_with_no_requests_has_an_unknown_error_rate() -> None:
    """No requests in the window is no data (None, drawn '—'), as a Prometheus source says
    it, not a 0.0 % error rate."""
    quiet = Route(35, ROUTE_PARAMS[0], 30.0).snapshot()
    assert quiet.observations == 0
    assert quiet.error_rate is None
    busy = Route(35, ROUTE_PARAMS[0], 30.0)
    for _ in range(8):
        busy.step(0.0, 0.25, Effect(), None)
    assert busy.snapshot().error_rate is not None
