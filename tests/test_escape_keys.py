"""Alt+<character> is read as Esc then the character (tui/escape_keys.py), on every
screen; other keys, Alt+Backspace and Ctrl+Alt keys and an Alt key [keys] binds included,
are left alone."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets import Input

from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui.app import WatchfloorApp
from tui.escape_keys import as_escape_then_key
from tui.panes.grants import GrantsPane
from tui.panes.latency import LatencyPane
from tui.screens.alerts import AlertsScreen
from tui.screens.denials import DenialsScreen
from tui.screens.grant import GrantScreen
from tui.screens.grant_details import GrantDetailsScreen
from tui.screens.halt import HaltScreen
from tui.screens.help import HelpScreen
from tui.screens.notes import NotesScreen
from tui.screens.replay import ReplayScreen
from tui.screens.timeline import TimelineScreen


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


def read_at_once(app: WatchfloorApp, raw: str) -> None:
    """`raw` as the terminal driver posts it when it arrives in one read: Textual's own
    parser turns the bytes into keys (ESC H is alt+shift+h, ESC 4 was ¢)."""
    parser = XTermParser()
    for token in [*parser.feed(raw), *parser.feed("")]:  # "": the read ended
        app.post_message(token)


def grants_focused(app: WatchfloorApp) -> bool:
    return app.query_one(GrantsPane).has_focus_within and len(app.screen_stack) == 1


@pytest.mark.parametrize(
    ("keys", "dialog"),
    [
        (("t",), TimelineScreen),
        (("question_mark",), HelpScreen),
        (("A",), AlertsScreen),
        (("n",), NotesScreen),
        (("d",), DenialsScreen),
        (("p",), ReplayScreen),
        (("4", "enter"), GrantDetailsScreen),
        (("ctrl+p",), CommandPalette),
    ],
)
async def test_esc_h_in_a_dialog_closes_it_and_opens_halt_all(
    keys: tuple[str, ...], dialog: type[Screen[Any]]
) -> None:
    """Esc closed the timeline (or help, the alerts list...) only after the H had been read
    on it, and the H went nowhere."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press(*keys)
        await wait_for(pilot, lambda: isinstance(app.screen, dialog), what=dialog.__name__)
        read_at_once(app, "\x1bH")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT ALL")
        assert len(app.screen_stack) == 2  # the dialog closed first


async def test_esc_4_on_the_main_screen_goes_to_the_grants_pane() -> None:
    """ESC 4 was read as ¢, which nothing takes."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("1")
        assert app.query_one(LatencyPane).has_focus_within
        read_at_once(app, "\x1b4")
        await wait_for(pilot, lambda: grants_focused(app), what="the grants pane focused")


async def test_esc_4_in_the_timeline_closes_it_and_goes_to_the_grants_pane() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("1", "t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="timeline")
        read_at_once(app, "\x1b4")
        await wait_for(pilot, lambda: grants_focused(app), what="the grants pane focused")


async def test_an_alt_key_given_in_keys_is_that_key() -> None:
    """[keys] may give a binding an Alt key: that one is not split into Esc and a key."""
    app = WatchfloorApp(local_sources(), keymap={"app.timeline": "alt+t"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        read_at_once(app, "\x1bt")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="timeline")


async def test_esc_b_in_the_timeline_closes_it_and_marks_a_baseline() -> None:
    """Textual read ESC b as ctrl+left (iTerm's Option+Left): the timeline stayed open and
    no baseline was marked."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await wait_for(pilot, lambda: bool(app.query_one(LatencyPane).snapshot), what="p99.9")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="timeline")
        read_at_once(app, "\x1bb")
        await wait_for(pilot, lambda: bool(app.baselines), what="a baseline marked")
        assert len(app.screen_stack) == 1


async def test_esc_b_and_esc_f_in_a_text_field_move_a_word() -> None:
    """In a form's field they stay iTerm's Option+arrows: a word left, a word right."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="grant form")
        field = app.focused
        assert isinstance(field, Input)
        await pilot.press(*"alice example")
        read_at_once(app, "\x1bb")
        await wait_for(pilot, lambda: field.cursor_position == len("alice "), what="word left")
        read_at_once(app, "\x1bf")
        await wait_for(pilot, lambda: field.cursor_position == len("alice example"), what="right")
        assert isinstance(app.screen, GrantScreen)
        assert field.value == "alice example"
