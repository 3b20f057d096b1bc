"""The `f` form's guard route: the guards watch one route, not every route. A p99.9 guard
on a docs-api drill was tripped by GET /search, a route the fault does not touch, and the
drill ended early ("guard: GET /search p99.9 329 ms > 200 ms"); the form had no field for
the route (the command line's --guard-route)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.helpers import SIZE, local_app, wait_for
from tests.test_faults_pilot import error_text, fill, form
from tui.fault_requests import FIELDS, BadFaultInput, fault_request
from tui.screens.fault_window import FaultWindowScreen

# empty: the field's default (typed into the form, emptied)
GOOD = {k: v or "" for k, v in {**form("stage"), "reason": "game day: docs-api drill"}.items()}
ROUTES = ("GET /docs/:id", "GET /search")


def test_the_guard_route_is_the_guards_route() -> None:
    assert (
        FIELDS.index("guard_error_percent") < FIELDS.index("guard_route") < FIELDS.index("reason")
    )
    req = fault_request({**GOOD, "guard_p999_ms": "200", "guard_route": "GET /docs/:id"}, ROUTES)
    assert (req.guards.route, req.guards.p999_ms_above) == ("GET /docs/:id", 200)
    assert fault_request({**GOOD, "guard_p999_ms": "200"}, ROUTES).guards.route == ""  # any
    # as the latency source spells it, or it would match no route
    typed = {**GOOD, "guard_p999_ms": "200", "guard_route": "  get   /search "}
    assert fault_request(typed, ROUTES).guards.route == "GET /search"


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (
            {"guard_p999_ms": "200", "guard_route": "GET /docs"},
            "guard_route",
            "guard route 'GET /docs' is not a route the latency pane shows "
            "(GET /docs/:id, GET /search): its guard would never end the window",
        ),
        (
            {"guard_route": "GET /docs/:id"},
            "guard_p999_ms",
            "guard route needs a guard p99.9 ms or guard errors % to watch it with",
        ),
    ],
)
def test_a_guard_route_that_would_end_nothing_is_refused(
    typed: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(BadFaultInput) as refused:
        fault_request({**GOOD, **typed}, ROUTES)
    assert (str(refused.value), refused.value.field) == (message, field)


def test_with_no_latency_routes_known_the_route_is_taken_as_typed() -> None:
    req = fault_request({**GOOD, "guard_error_percent": "2", "guard_route": "GET /new"})
    assert req.guards.route == "GET /new"


async def test_the_form_schedules_a_guard_on_one_route_suggesting_the_known_ones() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        route = app.screen.query_one("#guard_route", Input)
        assert route.placeholder == "e.g. GET /docs/:id (empty: any route)"
        # Enter walks the fields in order: the guard route comes after the guards
        values: dict[str, str | None] = {**GOOD, "guard_p999_ms": "200", "guard_route": "GET /dox"}
        await fill(pilot, values)
        await pilot.pause()
        assert "guard route 'GET /dox' is not a route" in error_text(app.screen)
        assert app.focused is route  # the refusal puts the focus on it
        await pilot.press("ctrl+u", *"get /d", "right")  # → takes the suggestion
        assert route.value == "GET /docs/:id"
        await pilot.click("#schedule")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the form to close")
        (w,) = (await app.sources["faults"].snapshot()).windows
        assert (w.guards.route, w.guards.p999_ms_above) == ("GET /docs/:id", 200)
