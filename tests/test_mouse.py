"""The mouse as a user in tmux (mouse on) uses it: a double-click on a footer key acts
once, a click anywhere in a pane focuses that pane, a double-click on a row opens it, and
the header stays one line."""

from __future__ import annotations

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Header

from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.footer import KeyFooter
from tui.panes.base import SourcePane
from tui.screens.alerts import AlertsScreen
from tui.screens.grant_details import GrantDetailsScreen
from tui.screens.help import HelpScreen
from tui.screens.release_details import ReleaseDetailsScreen


def terminal_event(cls: type[events.MouseEvent], x: int, y: int) -> events.MouseEvent:
    """A mouse event as the terminal driver posts it: screen coordinates, left button."""
    return cls(None, x, y, 0, 0, 1, False, False, False, screen_x=x, screen_y=y)


@pytest.fixture
def slow_double_click(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clicks up to 5s apart count as a double-click: a loaded test machine makes one."""
    monkeypatch.setattr(WatchfloorApp, "CLICK_CHAIN_TIME_THRESHOLD", 5.0)


async def double_click(pilot: Pilot[None], app: WatchfloorApp, x: int, y: int) -> None:
    """Press and release twice at one cell, through the app as the terminal sends them
    (the app counts the click chain), with the app's screen settling between clicks the
    way it does in the ~0.2s between a person's two clicks."""
    for _ in range(2):
        app.post_message(terminal_event(events.MouseDown, x, y))
        await pilot.pause()
        app.post_message(terminal_event(events.MouseUp, x, y))
        await pilot.pause()
        await pilot.pause()


async def test_a_double_click_on_a_dialogs_close_key_closes_it_and_quits_nothing(
    slow_double_click: None,
) -> None:
    """The second press of a double-click on `esc/A/q Close` landed on the dashboard
    footer's `q Quit` under it, and the app exited."""
    app = local_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="alerts")
        footer = app.screen.query_one(KeyFooter)
        await wait_for(pilot, lambda: "Close" in footer.render().plain, what="its keys")
        assert app.main_screen.query_one(KeyFooter).render().plain.startswith(" q Quit")
        await double_click(pilot, app, 3, 35)
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the list closed")
        await pilot.pause(0.2)
        assert app.is_running and app.return_code is None
        assert len(app.screen_stack) == 1


async def test_a_double_click_on_help_opens_help_and_leaves_it_open(
    slow_double_click: None,
) -> None:
    """The second press landed on the help screen's own footer, on `esc Close`."""
    app = local_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        footer = app.query_one(KeyFooter)
        await wait_for(pilot, lambda: bool(footer.drawn), what="footer keys")
        x = footer.render().plain.index(" ? Help ") + 2
        await double_click(pilot, app, x, 35)
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)


async def test_a_single_click_on_a_dialogs_close_key_still_closes_it() -> None:
    app = local_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="alerts")
        await pilot.pause()
        app.post_message(terminal_event(events.MouseDown, 3, 35))
        app.post_message(terminal_event(events.MouseUp, 3, 35))
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the list closed")


def focused_pane(app: WatchfloorApp) -> str | None:
    node = app.main_screen.focused
    while node is not None and not isinstance(node, SourcePane):
        node = node.parent  # type: ignore[assignment]
    return node.id if node is not None else None


async def focus_by_key(pilot: Pilot[None], app: WatchfloorApp, cap: str) -> None:
    await pilot.press(FOCUS_KEYS[cap])
    await wait_for(pilot, lambda: focused_pane(app) == cap, what=f"{cap} focused")


FOCUS_KEYS = {"latency": "1", "faults": "2", "access": "3", "grants": "4", "release": "5"}
# (pane, a widget in it that is not its table, the pane focused before the click)
OFF_TABLE = [
    ("latency", "#latency-plot", "faults"),
    ("latency", "#latency-cache", "grants"),
    ("access", "#access-summary", "latency"),
    ("access", "#access-top", "release"),
    ("release", "#release-stages", "access"),
    ("release", "#release-artifacts", "faults"),
]


async def test_a_click_anywhere_in_a_pane_focuses_that_pane() -> None:
    """Only a click on a pane's table focused it: the plot, the cache line, the deny and
    top denials lines, the stage and artefact lines left the focus (the orange border and
    the footer's keys) on the pane before."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = app.main_screen
        for cap, selector, before in OFF_TABLE:
            await focus_by_key(pilot, app, before)
            widget = screen.query_one(selector)
            assert widget.region.area > 0, selector
            await pilot.click(widget, offset=(1, 0))
            await pilot.pause()
            assert focused_pane(app) == cap, selector
            assert screen.focused is app.pane(cap).focus_target()


async def test_a_click_on_a_pane_border_focuses_it_and_moves_no_cursor() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await focus_by_key(pilot, app, "access")
        await pilot.press("down", "down")
        pane = app.pane("access")
        cursor = pane.table().cursor
        assert cursor == 2
        await focus_by_key(pilot, app, "latency")
        await pilot.click(pane, offset=(pane.size.width // 2, pane.outer_size.height - 1))
        await pilot.pause()
        assert focused_pane(app) == "access"
        assert pane.table().cursor == cursor
        grants = app.pane("grants")
        await pilot.click(grants, offset=(0, 2))  # the left border
        await pilot.pause()
        assert app.main_screen.focused is grants.focus_target()


async def test_a_click_on_the_header_keeps_it_one_line() -> None:
    """A click made it Textual's three-line header, two rows taken from the panes, with
    nothing saying how to undo it."""
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        header = app.query_one(Header)
        panes = app.query_one("#panes").size
        await pilot.click(Header, offset=(40, 0))
        await pilot.pause()
        assert header.outer_size.height == 1
        assert app.query_one("#panes").size == panes
        await pilot.click(Header, offset=(40, 0))
        await pilot.pause()
        assert header.outer_size.height == 1


async def test_a_double_click_on_a_row_opens_its_details(slow_double_click: None) -> None:
    """A double-click on a cut only moved the cursor to it; opening it took Enter."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        table = app.pane("release").table()
        await wait_for(pilot, lambda: table.row_count >= 2, what="two cuts")
        region = table.content_region
        await double_click(pilot, app, region.x + 2, region.y + 2)  # the second row
        await wait_for(
            pilot, lambda: isinstance(app.screen, ReleaseDetailsScreen), what="the details"
        )
        assert table.cursor == 1
        assert app.screen.item.version == table.selected_key  # type: ignore[attr-defined]


async def test_a_double_click_on_a_grant_opens_it(slow_double_click: None) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        gl = app.pane("grants").grant_list()  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="demo grants")
        region = gl.content_region
        await double_click(pilot, app, region.x + 2, region.y + 1)  # the second grant
        await wait_for(
            pilot, lambda: isinstance(app.screen, GrantDetailsScreen), what="its details"
        )
        assert app.screen.item == gl.grants[1]  # type: ignore[attr-defined]
