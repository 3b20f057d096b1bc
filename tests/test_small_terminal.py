"""An 80x24 terminal (a plain SSH session): every action form fits on the screen, and each of
its buttons can be brought into view from the keyboard."""

from __future__ import annotations

import pytest
from textual.containers import Vertical
from textual.widgets import Button

from tests.helpers import local_app, wait_for
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.grant import GrantScreen
from tui.screens.halt import HaltScreen
from tui.screens.rehearsal import RehearsalScreen
from tui.screens.revoke import RevokeScreen

FORMS = [
    (("f",), FaultWindowScreen),
    (("g",), GrantScreen),
    (("H",), HaltScreen),
    (("R",), RehearsalScreen),
    (("4", "r"), RevokeScreen),  # the grants pane, then revoke the grant under the cursor
]


@pytest.mark.parametrize(("keys", "form"), FORMS, ids=[f.__name__ for _, f in FORMS])
async def test_every_form_fits_80x24_and_its_buttons_can_be_reached(
    keys: tuple[str, ...], form: type
) -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press(*keys)
        await wait_for(pilot, lambda: isinstance(app.screen, form), what=form.__name__)
        screen = app.screen
        box = screen.query_one(Vertical)  # the dialog
        await pilot.pause()
        assert screen.region.contains_region(box.region), (box.region, screen.region)
        buttons = list(screen.query(Button))
        assert buttons
        for button in buttons:
            button.focus()
            await pilot.pause()
            assert box.region.contains_region(button.region), (button.label, button.region)
