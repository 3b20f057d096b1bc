"""An 80x24 terminal (a plain SSH session): every action form fits on the screen, and each of
its buttons can be brought into view from the keyboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Button, Input

from backends.clock import FrozenClock
from backends.models import Actor, FaultRequest, FaultSpec, ReleaseSnapshot
from tests.conftest import T0
from tests.helpers import local_app, local_sources, wait_for
from tui.app import WatchfloorApp
from tui.panes.faults import FaultsPane
from tui.panes.release import STAGE_GLYPH
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.grant import GrantScreen
from tui.screens.halt import HaltScreen
from tui.screens.rehearsal import RehearsalScreen
from tui.screens.revoke import RevokeScreen

FORMS = [
    (("f",), FaultWindowScreen),
    (("g",), GrantScreen),
    (("H",), HaltScreen),
    (("R",), RehearsalScreen),
    (("4", "r"), RevokeScreen),  # the grants pane, then revoke the grant under the cursor
]


@pytest.mark.parametrize(("keys", "form"), FORMS, ids=[f.__name__ for _, f in FORMS])
async def test_every_form_fits_80x24_and_its_buttons_can_be_reached(
    keys: tuple[str, ...], form: type
) -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press(*keys)
        await wait_for(pilot, lambda: isinstance(app.screen, form), what=form.__name__)
        screen = app.screen
        box = screen.query_one(Vertical)  # the dialog
        await pilot.pause()
        assert screen.region.contains_region(box.region), (box.region, screen.region)
        buttons = list(screen.query(Button))
        assert buttons
        for button in buttons:
            button.focus()
            await pilot.pause()
            assert box.region.contains_region(button.region), (button.label, button.region)


async def test_at_80x24_the_fault_form_shows_every_field_and_button_at_once() -> None:
    """With its guard route it has eleven fields: at 80x24 each one, whole, and the buttons,
    with nothing scrolled out of sight (the form drops its blank lines between fields)."""
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        await pilot.pause()
        screen = app.screen
        box = screen.query_one(Vertical)
        assert box.max_scroll_y == 0, box.virtual_size
        shown = box.content_region
        for widget in [*screen.query(Input), *screen.query(Button)]:
            assert shown.contains_region(widget.region), (widget.id, widget.region, shown)
        route = screen.query_one("#guard_route", Input)
        assert route.region.width >= len(route.placeholder) + 1  # its placeholder, whole


async def test_at_80x24_every_fault_window_shows_its_target_and_whole_countdown() -> None:
    """The faults pane is 28 cells wide inside at 80 columns. "stage/search-api   ends in 9"
    lost the countdown's minutes; the README promises target and countdown there."""
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        faults, erin = app.sources["faults"], Actor(name="erin")
        for host, start_in in (("search-api", 0), ("docs-api", 4), ("gateway", 0)):
            spec = FaultSpec(target_host=host, namespace="stage", delay_ms=800, delay_percent=30)
            req = FaultRequest(
                spec=spec, reason="game day countdowns", start_in=timedelta(minutes=start_in)
            )
            window = await faults.schedule(req, erin)
        await faults.end(window.id, erin, "done with the gateway")
        await app.refresh_now("faults")
        table = app.query_one(FaultsPane).table()
        await wait_for(pilot, lambda: table.row_count == 3, what="three windows shown")
        await pilot.pause()
        lines = [table.render_line(y).text.rstrip(" ▸┃") for y in range(1, 4)]
        assert re.fullmatch(r"stage/search-api +9m5\ds left", lines[0]), lines
        assert re.fullmatch(r"stage/docs-api +in 3m5\ds", lines[1]), lines
        assert re.fullmatch(r"stage/gateway +ended \d+s", lines[2]), lines


async def test_at_80x24_a_read_only_dashboard_says_its_reconciler_only_ends_windows() -> None:
    """The mode is in the faults pane's title, whole, and costs none of its rows. (At a
    fixed time: the panes' heights follow the release train, whose cut runs on the clock.)"""
    clock = FrozenClock(T0)
    app = WatchfloorApp(local_sources(clock), clock=clock, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        pane = app.query_one(FaultsPane)

        def top() -> str:
            lines = [strip.text for strip in app.screen._compositor.render_strips()]
            return lines[pane.region.y][pane.region.x : pane.region.right]

        await wait_for(pilot, lambda: "╭─ Fault windows · ends only ─" in top(), what=top())
        assert pane.content_region.height == 4  # as many rows as without it


def painted(app: WatchfloorApp, widget: Widget) -> list[str]:
    """The lines inside `widget`'s border, as the screen shows them."""
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    r = widget.content_region
    return [lines[y][r.x : r.right] for y in range(r.y, r.bottom)]


def release_lines(app: WatchfloorApp) -> tuple[list[str], list[int], list[str]]:
    """The release pane's lines, where the last cuts' titles are, and the one-line summary."""
    lines = [line.rstrip(" ▸┃") for line in painted(app, app.pane("release"))]
    titles = [i for i, line in enumerate(lines) if line.split()[:2] == ["version", "status"]]
    return lines, titles, [line for line in lines if line.startswith("last cuts: ")]


async def test_at_80x24_the_last_cuts_are_one_line_not_their_titles_alone() -> None:
    """At 80x24 the release pane had room for the last cuts' column titles and no row:
    a line that read as "no cuts". Without room for a row they are one line; with room
    (100x30), the table as before. (At a fixed time: a running cut is listed first.)"""
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.pause()
        snap = app.snapshots["release"]
        assert isinstance(snap, ReleaseSnapshot) and len(snap.recent) >= 2
        lines, titles, summary = release_lines(app)
        assert not titles, lines
        latest, older = snap.recent[0], snap.recent[1]
        glyph = STAGE_GLYPH[latest.status][0]
        assert summary and summary[0].startswith(f"last cuts: {latest.version} {glyph}"), lines
        older_glyph = STAGE_GLYPH[older.status][0]
        assert f", {older.version.rsplit('-', 1)[-1]} {older_glyph}" in summary[0]
        await pilot.resize_terminal(100, 30)  # room for rows: the table, a row under its titles
        await pilot.pause()
        lines, titles, summary = release_lines(app)
        assert titles and not summary, lines
        assert lines[titles[0] + 1].startswith(latest.version), lines
