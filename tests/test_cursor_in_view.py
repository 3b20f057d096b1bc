"""The row cursor is always on a row in view (tui/panes/row_cursor.py): the mouse wheel
scrolls the rows and the cursor stays inside the rows shown, so what is highlighted is
on screen and is what `e`, `r` and Enter act on. Before, the wheel scrolled the rows away
from the cursor: `e` cancelled a window above the rows shown, with no confirmation."""

from __future__ import annotations

from datetime import timedelta

from textual.app import App, ComposeResult

from backends.clock import FrozenClock
from backends.models import Actor, FaultRequest, FaultSpec, WindowState
from tests.conftest import T0
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import local_app, wait_for, wheel
from tests.test_grants_pane import Harness as GrantsHarness
from tests.test_grants_pane import many
from tui.app import WatchfloorApp
from tui.panes.faults import FaultsPane
from tui.panes.grant_list import GrantList
from tui.panes.grants import GrantsPane
from tui.panes.keyed_table import KeyedTable
from tui.panes.last_cuts import CutsTable
from tui.screens.fault_details import FaultDetailsScreen
from tui.screens.revoke import RevokeScreen

HOSTS = ("docs-api", "search-api", "gateway")
ROWS = {f"r{i:02d}": (f"r{i:02d}", f"row {i}") for i in range(30)}


def in_view(widget: KeyedTable | GrantList) -> range:
    """The indexes of the rows shown (a table's first line is its column titles)."""
    top = widget.scroll_offset.y
    if isinstance(widget, KeyedTable):
        return range(top, min(widget.row_count, top + widget.size.height - 1))
    return range(top, min(len(widget.grants), top + widget.size.height))


def shown_keys(table: KeyedTable) -> list[str]:
    return [list(table.rows)[i] for i in in_view(table)]


class Table(App[None]):
    def compose(self) -> ComposeResult:
        yield KeyedTable("key", "what", id="t")


async def test_the_wheel_takes_the_cursor_along_to_the_first_or_last_row_shown() -> None:
    app = Table()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(KeyedTable)
        table.set_rows(ROWS)
        table.focus()
        await pilot.press("home")
        await wheel(pilot, table, 3)
        assert table.scroll_offset.y > 0  # the rows scrolled
        assert table.selected_key == shown_keys(table)[0]  # the first row shown
        painted = [table.render_line(y).text for y in range(1, table.size.height)]
        assert any(line.startswith(table.selected_key) for line in painted)

        await pilot.press("end")
        await wheel(pilot, table, 4, up=True)
        assert table.selected_key == shown_keys(table)[-1]  # the last row shown
        on = table.selected_key
        await wheel(pilot, table, 1)  # its row still shown: the cursor stays on it
        assert table.selected_key == on != shown_keys(table)[-1]

        await pilot.resize_terminal(40, 6)  # the cursor row was below the new bottom
        await pilot.pause()
        assert table.selected_key in shown_keys(table)


async def test_rows_coming_in_above_keep_the_cursor_on_its_row_in_view() -> None:
    app = Table()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(KeyedTable)
        table.set_rows({k: ROWS[k] for k in list(ROWS)[25:]})  # five: all of them shown
        table.focus()
        await pilot.press("down", "down")
        assert table.selected_key == "r27"
        table.set_rows(ROWS)  # 25 more, above it
        await pilot.pause()
        assert table.selected_key == "r27" and table.selected_key in shown_keys(table)
        table.set_rows({k: ROWS[k] for k in list(ROWS)[20:]})  # and most of them gone
        await pilot.pause()
        assert table.selected_key == "r27" and table.selected_key in shown_keys(table)


async def test_the_row_the_wheel_brought_the_cursor_to_is_followed_as_rows_re_sort() -> None:
    """Scrolled to by the wheel, the highlighted row counted as untouched: the next
    re-sort left the cursor at its place, now on another row, for `e`, `r` or Enter."""
    app = Table()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(KeyedTable)
        table.set_rows(ROWS)
        await pilot.pause()
        await wheel(pilot, table, 3)
        on = table.selected_key
        assert on is not None and on != "r00"
        table.set_rows(dict(reversed(ROWS.items())))  # re-sorted: its place has another row
        await pilot.pause()
        assert table.selected_key == on and on in shown_keys(table)


async def test_the_grants_cursor_follows_the_wheel_too() -> None:
    app = GrantsHarness(many(50))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        gl = app.query_one(GrantList)
        gl.focus()
        await pilot.press("home")
        await wheel(pilot, gl, 3)
        assert gl.scroll_offset.y > 0
        assert gl.cursor == in_view(gl)[0]
        selected = app.query_one(GrantsPane).selected
        assert selected is not None and selected.id in gl.render_line(0).text


async def schedule_windows(app: WatchfloorApp, n: int) -> None:
    """n windows starting in 30 minutes and on (`watchfloor faults schedule --start-in`)."""
    for i in range(n):
        spec = FaultSpec(target_host=HOSTS[i % 3], namespace="stage", abort_percent=5)
        r = FaultRequest(spec=spec, reason="game day rehearsal", start_in=timedelta(minutes=30 + i))
        await app.sources["faults"].schedule(r, Actor(name="erin"))


def states(app: WatchfloorApp) -> dict[str, WindowState]:
    snap = app.snapshots["faults"]
    return {w.id: w.state(app.clock.now()) for w in getattr(snap, "windows", ())}


async def test_e_after_the_wheel_ends_the_window_highlighted_on_screen() -> None:
    """120x36, 12 windows: 2, Home, three notches down over the faults pane, e. It
    cancelled the first window, scrolled out of sight."""
    app = local_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await schedule_windows(app, 12)
        table = app.query_one(FaultsPane).table()
        await wait_for(pilot, lambda: table.row_count == 12, what="12 windows")
        await pilot.press("2", "home")
        first = table.selected_key
        await wheel(pilot, table, 3)
        highlighted = table.selected_key
        assert first not in shown_keys(table)
        assert highlighted in shown_keys(table)
        await pilot.press("e", *"drill is over", "enter")  # its dialog asks why
        await wait_for(pilot, lambda: states(app)[highlighted] is WindowState.ENDED, what="its end")
        assert first is not None and states(app)[first] is WindowState.SCHEDULED


async def test_focusing_a_scrolled_pane_shows_its_cursor_and_enter_opens_that_row() -> None:
    """80x24: the faults pane scrolled with the wheel while another pane had the focus;
    2 showed no cursor row, yet Enter opened a window out of sight."""
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await schedule_windows(app, 12)
        table = app.query_one(FaultsPane).table()
        await wait_for(pilot, lambda: table.row_count == 12, what="12 windows")
        assert not table.has_focus
        await wheel(pilot, table, 3)
        await pilot.press("2")
        assert table.has_focus and table.selected_key in shown_keys(table)

        # a window that starts now comes in above: the cursor stays on its row, in view
        spec = FaultSpec(target_host="docs-api", namespace="stage", abort_percent=5)
        now = FaultRequest(spec=spec, reason="game day, right now")
        await app.sources["faults"].schedule(now, Actor(name="erin"))
        await wait_for(pilot, lambda: table.row_count == 13, what="the 13th window")
        highlighted = table.selected_key
        assert highlighted in shown_keys(table)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultDetailsScreen), what="details")
        assert isinstance(app.screen, FaultDetailsScreen)
        assert app.screen.item.id == highlighted


async def test_r_after_the_wheel_revokes_the_grant_highlighted_on_screen() -> None:
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        secret = await enroll(app.sources)
        for i in range(6):  # a code is good once: the next one 30 s later
            code = code_at(secret, clock.now())
            await app.sources["grants"].grant(req(code, subject=f"user{i}@example.com"), ME)
            clock.advance(30)
        gl = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(gl.grants) >= 9, what="the grants")
        await pilot.press("4", "home")
        first = gl.grants[0]
        await wheel(pilot, gl, 3)
        assert 0 not in in_view(gl) and gl.cursor in in_view(gl)
        highlighted = gl.grants[gl.cursor]
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
        assert isinstance(app.screen, RevokeScreen)
        assert app.screen.grant.id == highlighted.id != first.id


class Cuts(App[None]):
    CSS = "CutsTable { height: 2; }"

    def compose(self) -> ComposeResult:
        yield CutsTable("key", "what", id="cuts")


async def test_the_wheel_leaves_a_one_line_cuts_table_on_the_newest_cut() -> None:
    """Two lines high, the release pane's cuts are one summary line (the newest cut, which
    Enter opens): the wheel scrolls nothing there, and moves no cursor."""
    app = Cuts()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(CutsTable)
        table.set_rows(ROWS)
        await pilot.pause()
        assert table.cramped
        await wheel(pilot, table, 3)
        assert table.cursor == 0 and table.scroll_offset.y == 0
