"""Editing keys typed ahead (⌫, ctrl+u) act on the field they were typed in.

Textual runs a field's own bindings only once the key has bubbled back up to the app, on
whatever has the focus then; a form's Tab and Enter act as the app reads them. So in one
read of `41⌫0<Tab>50` the ⌫ deleted the 5 in the next field and 410 stayed in the first.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Input

from tests.helpers import local_app, wait_for
from tests.test_type_ahead import burst, values
from tui.panes.keyed_table import KeyedTable
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.grant import GrantScreen

HOST, NAMESPACE = FaultWindowScreen.INPUTS[:2]
CASES = [
    ("f", FaultWindowScreen, "search-apx\bi\tdev", {HOST: "search-api", NAMESPACE: "dev"}),
    ("f", FaultWindowScreen, "wrong\x15search-api\tdev", {HOST: "search-api", NAMESPACE: "dev"}),
    (
        "g",
        GrantScreen,
        "dave@exampel\b\ble.com\tdb-reader",
        {"subject": "dave@example.com", "role": "db-reader"},
    ),
]


@pytest.mark.parametrize(("key", "form", "typed", "expected"), CASES)
async def test_an_edit_typed_ahead_stays_in_its_field(
    key: str, form: type[Screen[Any]], typed: str, expected: dict[str, str]
) -> None:
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, form), what=form.__name__)
        first = app.screen.query_one(f"#{next(iter(expected))}", Input)
        assert app.screen.focused is first
        burst(app, typed)
        await pilot.pause(0.3)
        await pilot.pause()
        got = {field: values(app)[field] for field in expected}
        assert got == expected


async def test_enter_submits_the_reason_as_edited() -> None:
    """Enter waited for the reason field, but its ⌫ was still on the way back up to the
    app: the window was scheduled with the typo in its reason."""
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        typed = "game day drill: search latency under loadd\b"
        burst(app, f"search-api\tdev\t300ms\t50\t\t\t0s\t2m\t\t\t\t{typed}\r")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the form submitted")
        snap = await app.sources["faults"].snapshot()
        assert [w.reason for w in snap.windows] == ["game day drill: search latency under load"]


async def test_cursor_keys_typed_before_a_pane_key_move_their_own_pane() -> None:
    """`jj5` in one read: 5 moved the focus to the release pane as the app read it, and the
    two `j` came back up to the app after that and moved the release pane's cursor."""
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("3")
        access = app.focused
        assert isinstance(access, KeyedTable)
        await wait_for(pilot, lambda: access.row_count >= 3, what="access rows")
        burst(app, "jj5")
        await wait_for(pilot, lambda: app.focused is not access, what="the release pane")
        release = app.focused
        assert isinstance(release, KeyedTable)
        await pilot.pause(0.3)
        assert (access.cursor, release.cursor) == (2, 0)
