"""The `f` form lists every problem at once, its own field checks with the backend's
protected namespaces and caps, in an 80x24 terminal (a plain SSH session).

Before: target billing-api, namespace prod, delay % 80, abort % 90, duration 9h, reason
"short" took six Enters: each said one problem (the delay %, then the abort %, the
duration, the reason, and only then the namespace with the delay the 80% lacked).
"""

from __future__ import annotations

import pytest
from textual.containers import Vertical
from textual.widgets import Button, Static

from tests.helpers import local_app, wait_for
from tests.test_faults_pilot import fill, windows
from tests.test_form_focus import error, focused_id, value
from tui.fault_requests import MODAL_LIMITS, BadFaultInput, fault_request
from tui.screens.fault_window import FaultWindowScreen

TYPED = {
    "host": "billing-api",
    "namespace": "prod",
    "delay": None,  # 0ms
    "delay_percent": "80",
    "abort_status": None,
    "abort_percent": "90",
    "start_in": None,
    "duration": "9h",
    "guard_p999_ms": None,
    "guard_error_percent": None,
    "guard_route": None,
    "reason": "short",
}
CAP = "{} % must be between 0 and 50"
PROBLEMS = [  # in the form's order
    "namespace 'prod' is protected; faults are refused there",
    "a delay needs both a delay (e.g. 800ms) and a delay % above 0",
    CAP.format("delay"),
    CAP.format("abort"),
    "duration must be at most 1h",
    "reason is required: a short sentence of at least 10 characters",
]


def problems(message: str) -> list[str]:
    return [p.strip() for p in message.replace("\n", " ").split(" · ")]


def test_every_problem_is_said_at_once_with_the_first_ones_field() -> None:
    typed = {k: v or "" for k, v in TYPED.items()}
    with pytest.raises(BadFaultInput) as caught:
        fault_request(typed, (), MODAL_LIMITS)
    assert problems(str(caught.value)) == PROBLEMS
    assert caught.value.field == "namespace"  # the first one's


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ({"delay": "800ms", "delay_percent": "80"}, ["delay % must be between 0 and 50"]),
        (
            {"delay": "9x", "delay_percent": "30", "abort_percent": "90"},
            ["delay: '9x' is not a duration (try 800ms, 30s, 10m)", CAP.format("abort")],
        ),
        (
            {"abort_percent": "1", "guard_error_percent": "0", "guard_route": "GET /x"},
            ["guard errors % must be above 0 and at most 100"],
        ),
    ],
)
def test_a_field_that_is_wrong_is_not_also_blamed_for_what_follows_from_it(
    typed: dict[str, str], said: list[str]
) -> None:
    """A percentage over the cap is said once (not also "no percentage", nor the cap
    again); a guard that is wrong is not also "a guard route needs a guard"."""
    base = {"host": "docs-api", "namespace": "stage", "reason": "drill docs latency"}
    with pytest.raises(BadFaultInput) as caught:
        fault_request({**base, **typed})
    assert problems(str(caught.value)) == said


async def test_at_80x24_one_enter_shows_every_problem_whole_and_keeps_the_input() -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        await fill(pilot, TYPED)  # one Enter after the reason
        await wait_for(pilot, lambda: error(app, "#fault-error") != "", what="refusal")
        assert problems(error(app, "#fault-error")) == PROBLEMS
        assert focused_id(app) == "namespace"
        for field, typed in TYPED.items():
            if typed is not None:
                assert value(app, field) == typed
        screen = app.screen
        box, said = (
            screen.query_one("#fault-box", Vertical),
            screen.query_one("#fault-error", Static),
        )
        await pilot.pause()
        # the whole message is on the screen, with the focused field and the buttons
        assert box.max_scroll_y == 0, box.virtual_size
        for button in screen.query(Button):
            assert box.content_region.contains_region(button.region), button.region
        assert box.content_region.contains_region(said.region), (said.region, box.content_region)
        assert box.content_region.contains_region(app.focused.region)  # type: ignore[union-attr]
        await app.refresh_now("faults")
        assert windows(app) == {}  # nothing was sent
