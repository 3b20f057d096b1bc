"""Alt+<character> is read as Esc then the character (tui/escape_keys.py); other keys,
Alt+Backspace and Ctrl+Alt keys included, are left alone."""

from __future__ import annotations

import pytest
from textual import events

from tests.helpers import local_app, wait_for
from tui.escape_keys import as_escape_then_key
from tui.screens.grant import GrantScreen
from tui.screens.halt import HaltScreen


@pytest.mark.parametrize(
    ("key", "char", "then"),
    [("alt+shift+h", "H", "H"), ("alt+g", "g", "g"), ("alt+slash", "/", "slash")],
)
def test_alt_with_a_character_is_escape_then_the_character(key: str, char: str, then: str) -> None:
    pair = as_escape_then_key(events.Key(key, char))
    assert pair is not None
    assert [(k.key, k.character) for k in pair] == [("escape", "\x1b"), (then, char)]


@pytest.mark.parametrize(
    ("key", "char"),
    [
        ("g", "g"),
        ("alt+backspace", "\x7f"),
        ("ctrl+alt+x", "x"),
        ("alt+up", None),
        ("escape", "\x1b"),
    ],
)
def test_other_keys_are_left_alone(key: str, char: str | None) -> None:
    assert as_escape_then_key(events.Key(key, char)) is None


async def test_alt_h_in_a_form_closes_it_and_opens_halt_all() -> None:
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="grant form")
        app.post_message(events.Key("alt+shift+h", "H"))
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT ALL")
        assert len(app.screen_stack) == 2  # the grant form closed first
