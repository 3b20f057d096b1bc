"""A `/` filter that matches no row says so, in the Access and Latency panes as in the
Grants pane ("no grant matches 'zzz' · / to change the filter").

Before: the Access pane showed its header over empty lines, and the Latency pane an empty
table: both read as a source with no data."""

from __future__ import annotations

import pytest

from tests.helpers import SIZE, local_app, wait_for
from tui.panes.access import AccessPane
from tui.panes.base import SourcePane
from tui.panes.latency import LatencyPane


def painted(pane: SourcePane) -> str:
    lines = pane.app.screen._compositor.render_strips()
    r = pane.region
    return "\n".join(strip.text[r.x : r.right] for strip in lines[r.y : r.bottom])


@pytest.mark.parametrize(
    ("pane_key", "pane_type", "what"), [("3", AccessPane, "key"), ("1", LatencyPane, "route")]
)
async def test_a_filter_matching_nothing_says_so_and_clearing_it_shows_the_rows(
    pane_key: str, pane_type: type[SourcePane], what: str
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        pane = app.query_one(pane_type)
        await pilot.press(pane_key, "slash", *"zzz", "enter")
        said = f"no {what} matches 'zzz' · / to change the filter"
        await wait_for(pilot, lambda: said in painted(pane), what="the no-match line")
        await pilot.press("slash", "ctrl+u", "enter")  # the filter cleared
        await wait_for(pilot, lambda: said not in painted(pane), what="the rows back")
        assert "GET /search" in painted(app.query_one(LatencyPane))
