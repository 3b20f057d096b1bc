"""The adaptive inflight limit shows which way it moved in the last 30 s: it steps 10 at a
time, so "190" alone did not say whether the gateway was shedding or recovering."""

from __future__ import annotations

from datetime import timedelta

from backends.models import LatencySnapshot
from tests.conftest import T0
from tests.test_latency_pane import OK, route
from tests.test_snapshots import PaneHarness
from tui.panes.latency import LatencyPane
from tui.panes.limit_trend import LimitTrend


def test_the_trend_compares_with_the_limit_about_30_s_before() -> None:
    t = LimitTrend()
    s = timedelta(seconds=1)
    assert t.observe("r", T0, 400) == ""
    assert t.observe("r", T0 + 2 * s, 390) == "↓"
    assert t.observe("r", T0 + 4 * s, 390) == "↓"  # no step since the last snapshot: still ↓
    assert t.observe("r", T0 + 4 * s, 390) == "↓"  # the same snapshot painted again
    assert t.observe("r", T0 + 33 * s, 390) == ""  # steady for 30 s
    assert t.observe("r", T0 + 35 * s, 400) == "↑"
    assert t.observe("r", T0 + 36 * s, None) == ""  # no limit reported: no trend
    assert t.observe("r", T0 + 37 * s, 380) == ""  # starts again


async def test_the_limit_cell_says_it_is_shrinking_then_recovering() -> None:
    def snap(at: int, limit: float) -> LatencySnapshot:
        return LatencySnapshot(
            observed_at=T0 + timedelta(seconds=at), health=OK, routes=(route(limit=limit),)
        )

    app = PaneHarness(LatencyPane(classes="pane"), snap(0, 400))
    async with app.run_test(size=(110, 18)) as pilot:
        await pilot.pause()
        pane = app.the_pane
        assert isinstance(pane, LatencyPane)

        def limit_cell() -> str:
            (row,) = pane.table().rows.values()
            return str(row[3])

        assert limit_cell() == "400"
        for at, limit in ((2, 390), (4, 380), (6, 370)):
            pane.snapshot = snap(at, limit)
        await pilot.pause()
        assert limit_cell() == "↓370"
        pane.snapshot = snap(40, 380)
        await pilot.pause()
        assert limit_cell() == "↑380"


async def test_at_80x24_a_drill_s_p999_leaves_room_for_the_limit_and_inflight() -> None:
    """p99.9 "2,579 ms!" widened its column until inflight was cut to its first digit
    ("27" read "2"). Over a second it reads "2.58 s!", and every number shown is whole."""
    from tests.helpers import local_sources, wait_for
    from tests.test_latency_pane import SEARCH, Scripted
    from tui.app import WatchfloorApp

    sources = local_sources()
    scripted = Scripted()
    sources.by_capability["latency"] = scripted
    app = WatchfloorApp(sources)
    async with app.run_test(size=(80, 24)) as pilot:
        now = app.clock.now()
        drill = LatencySnapshot(
            observed_at=now,
            health=OK.model_copy(update={"last_ok_at": now}),
            routes=(
                route(p999_ms=2579.0, limit=250.0, inflight=27.0),
                route(SEARCH, p999_ms=329.0, slo_ms=400.0, limit=400.0, inflight=6.0),
            ),
        )
        await scripted.queue.put(drill)
        await wait_for(pilot, lambda: app.snapshots["latency"] is not None, what="latency")
        await pilot.pause()
        table = app.pane("latency").table()
        header, docs, search = (table.render_line(y).text for y in range(3))
        assert header.rstrip("▸ ").split()[:5] == ["route", "p99.9", "SLO", "limit", "inflight"]
        assert docs.split()[2:8] == ["2.58", "s!", "250", "ms", "250", "27"]
        assert search.split()[2:7] == ["329", "ms", "400", "ms", "400"] and "6" in search.split()
