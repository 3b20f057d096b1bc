"""A key shared by bindings never active together does both jobs: the defaults give t to
the timeline's opening and closing, and [keys] may do the same with T (`config check`
refused it: tests/test_config_check_ui.py). The notes' q closes them, not the dashboard."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from tests.helpers import SIZE, local_sources, wait_for
from tui.app import WatchfloorApp
from tui.screens.notes import NotesScreen
from tui.screens.timeline import TimelineScreen


async def toggles(keymap: dict[str, str], key: str, dialog: type[Screen[Any]]) -> None:
    app = WatchfloorApp(local_sources(), keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        for close in (key, "q", "escape"):  # each key it has closes it
            await pilot.press(key)
            await wait_for(pilot, lambda: isinstance(app.screen, dialog), what=dialog.__name__)
            await pilot.press(close)
            await wait_for(pilot, lambda: app.screen is app.main_screen, what=f"{close} closes")
        assert app.is_running and app.return_code is None  # q closed the dialog, not the app


async def test_T_opens_and_closes_the_timeline() -> None:
    keymap = {"app.timeline": "T", "timeline.close": "escape,T,q"}
    await toggles(keymap, "T", TimelineScreen)


async def test_N_opens_and_closes_the_notes() -> None:
    keymap = {"release.notes": "N", "notes.close": "escape,q,N"}
    await toggles(keymap, "N", NotesScreen)
