"""An ended fault window says how it ended in its time cell: "ended 38s ago", "cancelled
5m ago", "halted 2m ago", shorter where the pane is narrow ("ended 38s", "cancelled"), so
at 80 columns, where the state column is cut, the state is still read.

Before: at 80x24 an ended window read "38s ago" beside its target and its state was cut
to `e…` or `ca…`: an ended, a cancelled and a halted window looked alike.
"""

from __future__ import annotations

import re
from datetime import timedelta

from textual.pilot import Pilot

from backends.models import Actor, FaultRequest, FaultSpec
from tests.helpers import local_app, wait_for
from tui.app import WatchfloorApp
from tui.panes.faults import FaultsPane
from tui.screens.halt import HaltScreen


def rows(app: WatchfloorApp) -> dict[str, str]:
    """target -> the rest of its row, as the pane shows it (up to its border)."""
    table = app.query_one(FaultsPane).table()
    lines = [table.render_line(y).text.rstrip(" ▸┃") for y in range(1, table.row_count + 1)]
    return {line.split()[0]: line.split(None, 1)[1] for line in lines}


async def windows(app: WatchfloorApp, pilot: Pilot[None]) -> None:
    """search-api active, gateway ended by hand, docs-api cancelled before its start."""
    faults, erin = app.sources["faults"], Actor(name="erin")
    made = {}
    for host, start_in in (("search-api", 0), ("docs-api", 4), ("gateway", 0)):
        spec = FaultSpec(target_host=host, namespace="stage", delay_ms=800, delay_percent=30)
        req = FaultRequest(spec=spec, reason="game day drill", start_in=timedelta(minutes=start_in))
        made[host] = await faults.schedule(req, erin)
    await faults.end(made["gateway"].id, erin, "done with the gateway")
    await faults.end(made["docs-api"].id, erin, "not today")
    await app.refresh_now("faults")
    table = app.query_one(FaultsPane).table()
    await wait_for(pilot, lambda: table.row_count == 3, what="three windows shown")
    await pilot.pause()


async def test_at_80x24_an_ended_window_says_how_it_ended() -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await windows(app, pilot)
        shown = rows(app)
        assert re.fullmatch(r"9m5\ds left", shown["stage/search-api"]), shown
        assert re.fullmatch(r"ended \d+s", shown["stage/gateway"]), shown
        assert shown["stage/docs-api"] == "cancelled", shown

        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="halt")
        await pilot.press(*"pager", "enter", *"HALT", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, HaltScreen), what="halted")
        await app.refresh_now("faults")
        await wait_for(
            pilot, lambda: rows(app)["stage/search-api"].startswith("halted"), what=str(rows(app))
        )
        assert re.fullmatch(r"halted \d+s", rows(app)["stage/search-api"]), rows(app)


async def test_with_room_it_says_how_long_ago() -> None:
    app = local_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await windows(app, pilot)
        shown = rows(app)
        assert re.match(r"ended \d+s ago +ended ", shown["stage/gateway"]), shown
        assert re.match(r"cancelled \d+s ago +cancelled ", shown["stage/docs-api"]), shown
