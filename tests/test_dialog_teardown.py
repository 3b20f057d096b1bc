"""The App feeds an open HALT ALL or rollback rehearsal dialog once a second. A tick that
came while the dialog was being taken down (its widgets removed, the screen still mounted)
raised NoMatches out of the App's timer: seen once in about eight runs of
test_plugin_safety's rehearsal test. The feed now waits for the widgets; the values it
was given are kept for them."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Static

from tests.helpers import wait_for
from tui.screens.halt import HaltScreen
from tui.screens.rehearsal import RehearsalScreen


class Host(App[None]):
    def __init__(self, screen: HaltScreen | RehearsalScreen) -> None:
        super().__init__()
        self.modal = screen

    def on_mount(self) -> None:
        self.push_screen(self.modal)


async def test_a_halt_tick_while_its_widgets_go_is_not_an_error() -> None:
    screen = HaltScreen(3, "local")
    app = Host(screen)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(screen.query("#halt-what")), what="the dialog")
        await screen.query("#halt-what").remove()
        screen.update(None, 5)  # raised NoMatches
        await pilot.pause()
        assert screen.query_one("#halt-failing", Static).display is False


async def test_a_rehearsal_tick_while_its_widgets_go_is_not_an_error() -> None:
    screen = RehearsalScreen("v1", "stage", "last: success")
    app = Host(screen)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(screen.query("#rehearsal-what")), what="the dialog")
        await screen.query("#rehearsal-what").remove()
        screen.update("v2", "stage", "last: failure")  # raised NoMatches
        assert (screen.version, screen.last) == ("v2", "last: failure")
        await pilot.pause()
