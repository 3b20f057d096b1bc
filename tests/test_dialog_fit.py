"""At 80x24 a dialog's message and buttons stay in view, whatever it says.

`R` on the github backend, with the reason and ROLLBACK typed: once a newer release
published, the dialog said "The latest release is now … (was …)", and its Rehearse button
scrolled out of view at the bottom. Enter still sent it, but nothing on the screen showed
what Enter would do. The other forms lost their buttons the same way under a refusal of a
line or two (the grant and HALT ALL forms under one line). Now the message and the
buttons stay at the bottom of the dialog, and its fields scroll above them, the focused
one in view; in a short terminal the forms drop their blank lines between fields, so R
shows what it rolls back above the note.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Static

from tests.fake_github import FakeGitHub
from tests.github_helpers import github_sources
from tests.helpers import local_app, wait_for
from tests.test_github_published import publish_m47
from tests.test_rehearsal_confirm import open_dialog
from tui.app import WatchfloorApp
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.form import RequestModal
from tui.screens.grant import GrantScreen
from tui.screens.halt import HaltScreen
from tui.screens.rehearsal import RehearsalScreen
from tui.screens.revoke import RevokeScreen

SMALL = (80, 24)


def screen_lines(app: WatchfloorApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def in_view(screen: Screen[Any], widget: Widget) -> bool:
    """Whole inside the dialog's visible part, and not under the dialog's docked part."""
    box = screen.query_one(Vertical)  # the dialog
    if not box.content_region.contains_region(widget.region):
        return False
    docked = [w for w in box.children if w.styles.dock != "none"]
    return all(d in widget.ancestors or widget.region.bottom <= d.region.y for d in docked)


def assert_whole(app: WatchfloorApp, screen: RequestModal[Any]) -> None:
    """Every button, the message, and the focused field: whole, on the screen."""
    lines = "\n".join(screen_lines(app))
    for button in screen.query(Button):
        assert in_view(screen, button), (button.id, button.region, lines)
        assert str(button.label) in lines
    error = screen.query_one(f"#{screen.ERROR_ID}", Static)
    assert in_view(screen, error), (error.region, lines)
    focused = screen.focused
    assert focused is not None and in_view(screen, focused), (focused, lines)


async def test_r_keeps_its_button_in_view_once_a_newer_release_is_named(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = WatchfloorApp(github_sources(gh, monkeypatch, poll_s=0.2))
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_dialog(pilot, app)
        await pilot.press(*"stage rollback drill before m47", "enter", *"ROLLBACK")
        m47 = publish_m47(gh)
        note = f"The latest release is now {m47}"
        error = screen.query_one("#rehearsal-error", Static)
        await wait_for(pilot, lambda: note in str(error.render()), what="the note")
        await pilot.pause()
        assert_whole(app, screen)
        assert any(note in line for line in screen_lines(app))
        assert any(f"rolls back: {m47}" in line for line in screen_lines(app))  # not scrolled
        await pilot.press("enter")  # refused once, saying so: still in view
        await pilot.pause()
        assert app.screen is screen
        assert_whole(app, screen)


LONG = (
    "policy refused: the role db-admin needs an approved change ticket (none open for"
    " platform) and a second approver on call; ask the incident commander"
)
FORMS = [
    (("f",), FaultWindowScreen),
    (("g",), GrantScreen),
    (("H",), HaltScreen),
    (("R",), RehearsalScreen),
    (("4", "r"), RevokeScreen),  # the grants pane, then revoke the grant under the cursor
]


@pytest.mark.parametrize(("keys", "form"), FORMS, ids=[f.__name__ for _, f in FORMS])
@pytest.mark.parametrize("said", ["refused", "lost", "busy"])
async def test_every_form_keeps_its_message_and_buttons_in_view_at_80x24(
    keys: tuple[str, ...], form: type[RequestModal[Any]], said: str
) -> None:
    """Its longest messages: a refusal of two lines about its last field, a failure whose
    answer was lost (the rehearsal's is four lines), and the line said while sending."""
    app = local_app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press(*keys)
        await wait_for(pilot, lambda: isinstance(app.screen, form), what=form.__name__)
        screen = app.screen
        assert isinstance(screen, RequestModal)
        await pilot.pause()
        if said == "refused":  # as the App answers a refusal
            screen.refused(LONG, field=screen.INPUTS[-1])
        elif said == "lost":
            screen.refused("read timed out after 10 s (127.0.0.1:443)", failed=True, sent=True)
        else:
            screen.start_busy("it")
        await pilot.pause()
        await pilot.pause()
        assert_whole(app, screen)
