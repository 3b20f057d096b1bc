"""The Latency pane at its 80-column width (46 cells wide in 80x24): its title whole and
saying the window, and what is over its threshold marked and named, not coloured alone."""

from __future__ import annotations

from backends.models import LatencySnapshot
from tests.conftest import T0
from tests.helpers import local_app, wait_for
from tests.test_latency_pane import DOCS, OK, SEARCH, route
from tui.panes.latency import LatencyPane


async def test_at_80_columns_the_title_is_whole_and_says_the_window() -> None:
    """At 80x24 the title read "Latency · p99.9 and adaptive inflight lim…": cut, and
    without "over the last 60 s", so after HALT ALL a p99.9 still over SLO for a minute had
    nothing to say why. A shorter name gives the window its room."""
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        pane = app.query_one(LatencyPane)
        title = str(pane.border_title)
        assert title.endswith("over the last 60 s"), title
        assert len(title) <= pane.size.width - 6, title  # "╭─ " and " ─╮": not cut
        top = app.screen._compositor.render_strips()[pane.region.y].text
        assert title in top, top


async def test_at_its_80_column_width_what_is_over_its_mark_is_said_not_coloured() -> None:
    """At 80x24 the pane is 46 columns wide: inflight at its limit was yellow alone, the
    errors and blocked columns scrolled off, and the "! over SLO" legend cut off the end
    of the cache line. Now a "!" marks each value over its threshold and the legend,
    first on its line, names what is over."""
    from tests.test_snapshots import PaneHarness
    from tui.panes.latency import errors_cell

    hot = route(DOCS, p999_ms=329.0, inflight=200.0, blocked=35.0, error_rate=0.034)
    calm = route(SEARCH, p999_ms=120.0, inflight=12.0, limit=180.0, error_rate=0.0)
    assert errors_cell(hot).plain == "3.40%!" and errors_cell(calm).plain == "0.00%"
    snap = LatencySnapshot(observed_at=T0, health=OK, window_s=60, routes=(hot, calm))
    app = PaneHarness(LatencyPane(), snap)
    async with app.run_test(size=(46, 10)) as pilot:
        await pilot.pause()
        lines = [s.text for s in app.screen._compositor.render_strips()]
    docs = next(line for line in lines if line.startswith(DOCS))
    assert docs.split()[-1] == "200!", docs  # inflight, the last column shown
    legend = "! over SLO, inflight at limit, errors > 1%"
    assert any(line.startswith(legend) for line in lines), lines
