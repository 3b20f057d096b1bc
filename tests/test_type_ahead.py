"""Keys typed ahead reach the field they were typed for. Over a slow SSH link keystrokes
arrive in bursts; Pilot waits after each key, so the burst is posted to the app in one go,
as the terminal driver does with one read of several keys."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.screen import Screen
from textual.widgets import Input

from tests.helpers import local_app, wait_for
from tui.app import WatchfloorApp
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.grant import GrantScreen
from tui.screens.replay import ReplayScreen

KEYS = {"\t": "tab", "\r": "enter"}


def burst(app: WatchfloorApp, typed: str) -> None:
    for ch in typed:
        key = KEYS.get(ch, ch)
        app.post_message(events.Key(key, None if key in KEYS.values() else ch))


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
