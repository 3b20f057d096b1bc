"""Keys typed ahead reach the field they were typed for. Over a slow SSH link keystrokes
arrive in bursts; Pilot waits after each key, so the burst is posted to the app in one go,
as the terminal driver does with one read of several keys."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.screen import Screen
from textual.widgets import Input

from tests.helpers import local_app, wait_for
from tui.app import WatchfloorApp
from tui.panes.grants import GrantsPane
from tui.screens.denials import DenialsScreen
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.filter import FilterScreen
from tui.screens.grant import GrantScreen
from tui.screens.halt import HaltScreen
from tui.screens.rehearsal import RehearsalScreen
from tui.screens.replay import ReplayScreen
from tui.screens.revoke import RevokeScreen

KEYS = {"\t": "tab", "\r": "enter", "\x1b": "escape", "\b": "backspace", "\x15": "ctrl+u"}


def burst(app: WatchfloorApp, typed: str) -> None:
    for ch in typed:
        if ch in KEYS:
            app.post_message(events.Key(KEYS[ch], None))
        else:  # the key's name as the driver gives it: "/" is slash, "@" is commercial_at
            app.post_message(events.Key(_character_to_key(ch), ch))


def values(app: WatchfloorApp) -> dict[str, str]:
    return {i.id or "": i.value for i in app.screen.query(Input)}


HOST, NAMESPACE, START = FaultWindowScreen.INPUTS[:3]
CASES = [
    (
        "g",
        GrantScreen,
        "dave@example.com\tdb-reader\rINC-7 typed ahead over ssh\r",
        {
            "subject": "dave@example.com",
            "role": "db-reader",
            "reason": "INC-7 typed ahead over ssh",
        },
        "ttl",  # Enter after the reason moved on
    ),
    ("f", FaultWindowScreen, "search-api\tdev\r", {HOST: "search-api", NAMESPACE: "dev"}, START),
    (
        "p",
        ReplayScreen,
        "candidate.rego\t250",
        {"replay-file": "candidate.rego", "replay-limit": "250"},
        "replay-limit",
    ),
]


@pytest.mark.parametrize(("key", "form", "typed", "expected", "focused"), CASES)
async def test_a_burst_through_a_form_fills_each_field(
    key: str, form: type[Screen[Any]], typed: str, expected: dict[str, str], focused: str
) -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, form), what=form.__name__)
        for field in expected:  # from empty fields, whatever the form suggests
            app.screen.query_one(f"#{field}", Input).value = ""
        app.screen.query_one(f"#{next(iter(expected))}", Input).focus()
        await pilot.pause()
        burst(app, typed)
        await wait_for(pilot, lambda: values(app).items() >= expected.items(), what="typing")
        assert app.screen.focused is not None and app.screen.focused.id == focused


def first_field(screen: Screen[Any]) -> Input:
    focused = screen.focused
    assert isinstance(focused, Input), f"{type(screen).__name__} focused {focused!r}"
    return focused


OPENERS = [  # (pane focused first, the burst, the form it opens, its first fields after)
    ("3", "gdave@example.com\tdb-reader", GrantScreen, ("dave@example.com", "db-reader")),
    ("3", "fsearch-api", FaultWindowScreen, ("search-api",)),
    ("3", "p.bak", ReplayScreen, (".bak",)),  # replaces the suggested path, selected on focus
    ("3", "dtenant=acme", DenialsScreen, ("tenant=acme",)),
    ("3", "/acme", FilterScreen, ("acme",)),
    ("1", "4/alice", FilterScreen, ("alice",)),  # the focus key in the burst too
    ("4", "rnot needed", RevokeScreen, ("not needed",)),
    ("1", "HINC-7 game day over", HaltScreen, ("INC-7 game day over",)),
    ("1", "RINC-7 rehearsal", RehearsalScreen, ("INC-7 rehearsal",)),
]


@pytest.mark.parametrize(("pane", "typed", "form", "expected"), OPENERS)
async def test_keys_typed_with_the_key_that_opens_a_form_reach_its_first_field(
    pane: str, typed: str, form: type[Screen[Any]], expected: tuple[str, ...]
) -> None:
    """`gdave` in one read: Textual had sent `dave` to the pane's table before `g` opened the
    form, and the keys were dropped (`d` is also the Denials key)."""
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press(pane)
        await pilot.pause()
        main = app.screen
        burst(app, typed)
        await wait_for(pilot, lambda: isinstance(app.screen, form), what=form.__name__)
        screen = app.screen
        inputs = [i for i in screen.query(Input) if i.display][: len(expected)]
        await wait_for(
            pilot,
            lambda: tuple(i.value for i in inputs) == expected,
            what=f"{expected} from {typed!r}, have {[i.value for i in inputs]}",
        )
        assert first_field(screen) is inputs[-1]
        assert app.screen_stack == [main, screen]  # nothing else opened on the way


async def test_the_main_screen_keys_are_off_while_a_form_is_open() -> None:
    """They are priority bindings, checked even with a modal on top: `g` on the halt form's
    button must not open the grant form over it."""
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("H")
        halt = app.screen
        assert isinstance(halt, HaltScreen)
        halt.set_focus(halt.query_one("#cancel"))
        await pilot.press("g", "f", "slash", "question_mark", "4")
        await pilot.pause()
        assert app.screen_stack[1:] == [halt]
        assert halt.focused is not None and halt.focused.id == "cancel"


async def test_enter_at_the_end_of_a_burst_submits_what_was_typed() -> None:
    """Enter acts as the app reads it (a priority binding), before the field has taken the
    keys typed just before it: the form was submitted with half a reason ("reason is
    required") or, worse, half a value. It now waits for the fields to take them."""
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        reason = "game day drill: search latency under load"
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        burst(app, f"search-api\tdev\t300ms\t50\t\t\t0s\t2m\t\t\t\t{reason}\r")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the form submitted")
        snap = await app.sources["faults"].snapshot()
        (w,) = [w for w in snap.windows if w.reason == reason]
        assert (w.spec.target_host, w.spec.namespace) == ("search-api", "dev")
        assert (w.spec.delay_ms, w.spec.delay_percent) == (300, 50.0)
        assert (w.ends_at - w.starts_at).total_seconds() == 120


async def test_a_field_that_never_answers_does_not_hang_the_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enter waits (in the app's queue) for the fields; one that never takes its queued
    callback would freeze the whole dashboard, so the wait is capped at SETTLE_S."""
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        screen = app.screen
        assert isinstance(screen, FaultWindowScreen)
        stuck = screen.query_one(f"#{HOST}", Input)
        monkeypatch.setattr(stuck, "call_later", lambda *_a, **_k: True)  # posted, never run
        monkeypatch.setattr("tui.settle.SETTLE_S", 0.2)
        await asyncio.wait_for(screen.fields_settled(), timeout=5)


async def test_cursor_keys_before_r_choose_the_grant_it_revokes() -> None:
    """`r` acts as the app reads it; the `down` read just before it must have moved the
    cursor first, or the revoke form opens for the grant above the one meant."""
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("4")
        grants = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(grants.grants) >= 3, what="grants")
        assert grants.cursor == 0
        for key in ("down", "down", "r"):
            app.post_message(events.Key(key, "r" if key == "r" else None))
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke form")
        assert isinstance(app.screen, RevokeScreen)
        assert app.screen.grant == grants.grants[2]


@pytest.mark.parametrize(
    ("opener", "form"), [("g", GrantScreen), ("slash", FilterScreen), ("d", DenialsScreen)]
)
async def test_a_key_typed_right_after_escape_reaches_the_dashboard(
    opener: str, form: type[Screen[Any]]
) -> None:
    """`esc H` in one read: H went into the closing form's field and was lost."""
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("3", opener)
        await wait_for(pilot, lambda: isinstance(app.screen, form), what=form.__name__)
        burst(app, "\x1bH")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT ALL form")
        assert len(app.screen_stack) == 2
