"""Keys typed ahead reach the field they were typed for. Over a slow SSH link keystrokes
arrive in bursts; Pilot waits after each key, so the burst is posted to the app in one go,
as the terminal driver does with one read of several keys."""

from __future__ import annotations

from textual import events
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


async def test_a_burst_through_the_grant_form_fills_each_field() -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="grant form")
        burst(app, "dave@example.com\tdb-reader\rINC-7 typed ahead over ssh\r")
        await wait_for(pilot, lambda: values(app)["reason"].endswith("ssh"), what="typing")
        got = values(app)
        assert (got["subject"], got["role"]) == ("dave@example.com", "db-reader")
        assert got["reason"] == "INC-7 typed ahead over ssh"
        focused = app.screen.focused
        assert isinstance(focused, Input) and focused.id == "ttl"  # Enter moved on


async def test_a_burst_through_the_fault_form_fills_each_field() -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        host, namespace = FaultWindowScreen.INPUTS[:2]
        for field in (host, namespace):
            app.screen.query_one(f"#{field}", Input).value = ""
        app.screen.query_one(f"#{host}", Input).focus()
        await pilot.pause()
        burst(app, "search-api\tdev\r")
        await wait_for(pilot, lambda: values(app)[namespace] == "dev", what="typing")
        assert values(app)[host] == "search-api"
        focused = app.screen.focused
        assert isinstance(focused, Input) and focused.id == FaultWindowScreen.INPUTS[2]


async def test_a_burst_through_the_dry_run_form_fills_each_field() -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="replay")
        for i in app.screen.query(Input):
            i.value = ""
        app.screen.query_one("#replay-file", Input).focus()
        await pilot.pause()
        burst(app, "candidate.rego\t250")
        await wait_for(pilot, lambda: values(app)["replay-limit"] == "250", what="typing")
        assert values(app)["replay-file"] == "candidate.rego"
