"""Fault windows in the simulator (backends.local.sim.faults): which routes a target
hits, and a window's latency and errors landing on its route only."""

from __future__ import annotations

from backends.local.sim import Simulator
from backends.local.sim.faults import routes_for_target
from backends.local.sim.gateway import ROUTES
from tests.sim_helpers import DOCS, SEARCH, START, at, route, window


def test_fault_targets_map_to_routes() -> None:
    assert routes_for_target("docs-api") == (DOCS,)
    assert routes_for_target("search-api") == (SEARCH,)
    assert routes_for_target(SEARCH) == (SEARCH,)
    assert routes_for_target("gateway") == ROUTES
    assert routes_for_target("billing") == ()


def test_fault_window_raises_latency_and_errors_on_its_route_only() -> None:
    sim, twin = Simulator(start=START), Simulator(start=START)
    fw = window("docs-api", 60, 180, delay_ms=800, delay_percent=30, abort_percent=5)
    sim.set_faults([fw])
    for s in (sim, twin):
        s.advance_to(at(60))
    before = route(sim, DOCS)
    assert before == route(twin, DOCS)  # the window is not active yet
    assert before.p999_ms is not None and before.p999_ms < 800
    assert before.error_rate is not None and before.error_rate < 0.03

    for s in (sim, twin):
        s.advance_to(at(180))  # the whole 60 s window lies inside the fault window
    during = route(sim, DOCS)
    assert during.p999_ms is not None and during.p999_ms > 800
    assert during.error_rate is not None
    # ~5 % aborts on top of the base error rate, within 4 binomial sigmas
    expected = 0.05 + before.error_rate
    sigma = (expected * (1 - expected) / during.observations) ** 0.5
    assert during.error_rate > 0.03
    assert abs(during.error_rate - expected) < 4 * sigma
    # the other route draws from its own stream: exactly what it would have been
    assert route(sim, SEARCH) == route(twin, SEARCH)

    for s in (sim, twin):
        s.advance_to(at(180 + 60))
    after, clean = route(sim, DOCS), route(twin, DOCS)
    assert after.p999_ms is not None and after.p999_ms < 800
    assert after.error_rate is not None and after.error_rate < 0.03
    assert after.model_dump(exclude={"history"}) == clean.model_dump(exclude={"history"})
    assert max(after.history) > 800  # the regression is visible in the history
