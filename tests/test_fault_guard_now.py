"""A guard the latency is over already: the `f` form took a p99.9 guard of 300 ms on any
route while GET /search read 329 ms, put the docs-api fault in ("Fault window started")
and the reconciler ended it 2 s later ("guard: GET /search p99.9 329 ms > 300 ms"); so too
a guard under the p99.9 a window ended a moment ago left in the 60 s window. Now the form
refuses it, naming the guard, the route and its figure now, while the window would start
within the latency window (later, the present figures will have aged out)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backends.models import HealthState, LatencySnapshot, RouteLatency, SourceHealth
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.test_fault_guard_route import GOOD, ROUTES
from tests.test_faults_pilot import error_text, fill, form, windows
from tui.fault_requests import BadFaultInput, fault_request
from tui.screens.fault_window import FaultWindowScreen


def snap(search_p999: float, search_errors: float = 0.001) -> LatencySnapshot:
    routes = (
        RouteLatency(route="GET /docs/:id", p999_ms=155.0, slo_ms=250, observations=1800),
        RouteLatency(
            route="GET /search",
            p999_ms=search_p999,
            slo_ms=400,
            observations=1800,
            error_rate=search_errors,
        ),
    )
    health = SourceHealth(state=HealthState.OK, last_ok_at=T0)
    return LatencySnapshot(observed_at=T0, health=health, source="local", routes=routes)


def refusal(typed: dict[str, str], latency: LatencySnapshot) -> BadFaultInput:
    with pytest.raises(BadFaultInput) as caught:
        fault_request({**GOOD, **typed}, ROUTES, latency=latency)
    return caught.value


def test_a_guard_already_over_its_line_is_refused_naming_the_route_and_figure() -> None:
    exc = refusal({"guard_p999_ms": "300"}, snap(329.0))
    assert exc.field == "guard_p999_ms"
    assert "GET /search" in str(exc) and "329 ms" in str(exc) and "300" in str(exc)
    exc = refusal({"guard_error_percent": "5"}, snap(329.0, search_errors=0.08))
    assert exc.field == "guard_error_percent"
    assert "GET /search" in str(exc) and "8" in str(exc)


def test_a_guard_under_its_line_later_or_on_another_route_is_taken() -> None:
    latency = snap(329.0)
    # on the route it watches the p99.9 is under it
    on_docs = {**GOOD, "guard_p999_ms": "300", "guard_route": "GET /docs/:id"}
    assert fault_request(on_docs, ROUTES, latency=latency).guards.p999_ms_above == 300
    # starting once today's figures have left the 60 s window
    later = {**GOOD, "guard_p999_ms": "300", "start_in": "60s"}
    assert fault_request(later, ROUTES, latency=latency).start_in == timedelta(seconds=60)
    assert fault_request({**GOOD, "guard_p999_ms": "400"}, ROUTES, latency=latency)
    # no latency known: nothing to hold it against
    assert fault_request({**GOOD, "guard_p999_ms": "300"}, ROUTES)


async def test_the_form_refuses_a_guard_the_latency_is_over_now() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        latency = app.snapshots["latency"]
        assert isinstance(latency, LatencySnapshot)
        worst = max(latency.routes, key=lambda r: r.p999_ms or 0.0)
        assert worst.p999_ms is not None
        guard = f"{int(worst.p999_ms) - 20}"  # under the p99.9 now, on any route
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="modal")
        await fill(pilot, {**form("stage"), "guard_p999_ms": guard})
        await pilot.pause(0.5)
        assert isinstance(app.screen, FaultWindowScreen), "scheduled, and ended by its guard"
        said = error_text(app.screen)
        assert worst.route in said and guard in said, said
        assert app.screen.focused is not None and app.screen.focused.id == "guard_p999_ms"
        assert windows(app) == {}


def test_a_guard_found_wrong_is_not_also_said_to_be_over() -> None:
    exc = refusal({"guard_p999_ms": "0"}, snap(329.0))  # stands in as 1 ms
    assert "must be above 0" in str(exc) and "as soon as it started" not in str(exc)
