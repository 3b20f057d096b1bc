"""ctrl+q in a dialog with a text field (the grant form, HALT ALL), with a fault window
open: the toast said "Press q again to quit", and the q then went into the focused field
(a dialog covers the dashboard's q; only ctrl+q quits there). Now the toast names the key
that quits where it was pressed (ctrl+q in a dialog, q on the dashboard), and says that
what is typed in the dialog has not been sent. ctrl+q in a dialog with something typed
asks once even with no window open: the text is never dropped unsaid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input

from backends.models import Actor, FaultRequest, FaultSpec
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.screens.grant import GrantScreen
from tui.screens.halt import HaltScreen


def toasts(app: WatchfloorApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def open_a_window(app: WatchfloorApp) -> None:
    spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=300, delay_percent=20)
    req = FaultRequest(spec=spec, reason="drill before a quit", duration=timedelta(minutes=5))
    await app.sources["faults"].schedule(req, Actor(name="erin"))
    await app.refresh_now("faults")


@pytest.mark.parametrize(
    ("key", "dialog", "field"), [("g", GrantScreen, "subject"), ("H", HaltScreen, "halt-reason")]
)
async def test_ctrl_q_in_a_dialog_names_ctrl_q_not_the_q_the_field_takes(
    key: str, dialog: type, field: str
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await open_a_window(app)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, dialog), what="the dialog")
        screen = app.screen
        await pilot.press(*"dave")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        (said,) = [t for t in toasts(app) if "fault window" in t]
        assert "q again" not in said.replace("ctrl+q again", ""), said
        assert "ctrl+q again" in said, said
        assert "typed in this dialog has not been sent" in said, said
        assert "H halts" not in said  # H, too, is the field's in a dialog
        assert screen.query_one(f"#{field}", Input).value == "dave"  # what was typed stays
        await pilot.press("ctrl+q")  # the key it named quits
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_q_in_a_form_with_text_typed_asks_once_then_quits() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="the form")
        await pilot.press(*"dave@example.com", "ctrl+q")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        (said,) = [t for t in toasts(app) if t.startswith("Quit?")]
        assert "ctrl+q again" in said and "has not been sent" in said, said
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_q_in_an_untouched_form_quits_at_once() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="the form")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
