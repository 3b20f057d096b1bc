"""The Latency pane's honest display: cells, snapshots of its states, and the baseline key
with a lower-bound ("> X") route, pressed like a user."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from rich.text import Text

from backends import alerts
from backends.models import (
    AlertKind,
    CacheLayer,
    HealthState,
    LatencySnapshot,
    RouteLatency,
    RouteState,
    SourceHealth,
)
from tests.conftest import T0
from tests.helpers import SIZE, local_sources, wait_for
from tests.test_snapshots import PaneHarness
from tui.app import WatchfloorApp
from tui.panes.alerts import AlertStrip
from tui.panes.latency import LatencyPane, p999_cell, range_cell
from tui.panes.latency_plot import (
    BARS,
    LatencyPlot,
    Series,
    bar_rows,
    downsample,
    render_one,
)
from tui.panes.line import Line

OK = SourceHealth(state=HealthState.OK, last_ok_at=T0)
DOCS, SEARCH = "GET /docs/:id", "GET /search"


def route(name: str = DOCS, **kw: Any) -> RouteLatency:
    base: dict[str, Any] = {
        "route": name,
        "p999_ms": 180.0,
        "slo_ms": 250.0,
        "observations": 5400,
        "p999_low_ms": 150.0,
        "p999_high_ms": 200.0,
        "limit": 200.0,
        "inflight": 41.0,
    }
    return RouteLatency(**(base | kw))


def prom_like() -> LatencySnapshot:
    hist = tuple(120.0 + 40 * ((i * 7) % 11) / 10 for i in range(60))
    return LatencySnapshot(
        observed_at=T0,
        health=OK,
        source="prometheus",
        window_s=60,
        history_step_s=60,
        method="histogram_quantile(0.999) over 1m, classic buckets",
        routes=(
            route(history=hist),
            route(
                SEARCH,
                p999_ms=5000.0,
                p999_low_ms=5000.0,
                p999_high_ms=None,
                above_last_bucket=True,
                slo_ms=400.0,
                observations=640,
                blocked=12.0,
                limit=50.0,
                inflight=50.0,
                history=(*hist[:40], *(5000.0,) * 20),
            ),
            route("GET /export", p999_ms=None, observations=0, state=RouteState.NO_DATA),
            route(
                "GET /admin",
                p999_ms=None,
                observations=12,
                state=RouteState.ERROR,
                error="histogram_quantile gave no value",
            ),
        ),
        cache=(
            CacheLayer(layer="edge", hit_ratio=0.861),
            CacheLayer(layer="app", hit_ratio=0.702),
            CacheLayer(layer="db", hit_ratio=0.93),
        ),
    )


# --- cells --------------------------------------------------------------------------------


def test_p999_cell_says_how_far_to_trust_it() -> None:
    assert p999_cell(route()).plain == "180 ms"
    assert p999_cell(route(observations=999)).plain == "180 ms?"
    assert not route(observations=1000).low_confidence
    above = route(p999_ms=5000.0, above_last_bucket=True, p999_high_ms=None)
    assert p999_cell(above).plain == "> 5.00 s!"  # over its SLO, in more than colour
    assert p999_cell(route(p999_ms=400.0, observations=999)).plain == "400 ms!?"
    assert p999_cell(route(p999_ms=None, state=RouteState.NO_DATA)).plain == "no data"
    err = p999_cell(route(p999_ms=None, state=RouteState.ERROR))
    assert err.plain == "error" and err.style != p999_cell(route(p999_ms=None)).style
    assert p999_cell(route(), stale=True) != p999_cell(route())  # greyed when stale


def test_range_cell_is_the_bucket_or_a_lower_bound() -> None:
    assert range_cell(route()).plain == "150-200"
    assert range_cell(route(p999_high_ms=None, above_last_bucket=True)).plain == "> 150"
    assert range_cell(route(p999_low_ms=None)).plain == "—"


def test_plot_keeps_tails_and_puts_now_on_the_right() -> None:
    assert downsample([1, 9, 1, 1, 1, 1], 3) == [9, 1, 1]
    rows = bar_rows([0, 50, 100], 100)
    assert rows[-1][0] == " " and rows[0][2] == "█" and rows[0][1] == " "
    series = Series(DOCS, (100.0, 300.0), 250.0)
    assert render_one(series, 40, 5.0)[0].plain == f"{DOCS} · last 10s · max 300 ms"
    lines = render_one(series, 10, 5.0)
    bottom = lines[-1]
    assert bottom.plain.startswith(" " * 8) and len(bottom.plain) == 10
    assert any(span.style == "red" for span in bottom.spans)  # 300 ms is above the SLO


def test_a_narrow_plot_title_keeps_the_max() -> None:
    """At 100 and 120 columns the docs title read "GET /docs/:id · last 1m25s · max" and
    lost its number: the span gives way first, then the route is cut with an ellipsis."""
    series = Series(DOCS, (100.0, 318.0), 250.0)
    assert render_one(series, 31, 5.0)[0].plain == f"{DOCS} · max 318 ms"
    assert render_one(series, 12, 5.0)[0].plain == "GET /docs/:…"


def test_a_short_plot_draws_the_bars_that_fit() -> None:
    """At 100x30 the plot gets two lines: it drew the titles over a blank line."""
    plot = LatencyPlot()
    plot.series = (Series(DOCS, (100.0, 200.0, 400.0), 250.0),)
    for height, rows in ((2, 1), (3, 2), (4, 3), (9, 3)):
        lines = plot.draw(20, height).plain.split("\n")
        assert len(lines) == rows + 1
        assert lines[0].startswith(DOCS)
        assert lines[-1].rstrip().endswith("█")  # now, the tallest bar, at the right edge
        assert set(lines[-1].strip()) - set(BARS) == set()


# --- snapshots ------------------------------------------------------------------------------


def empty(state: HealthState, error: str | None = None) -> LatencySnapshot:
    return LatencySnapshot(
        observed_at=T0,
        health=SourceHealth(state=state, last_error=error),
        source="prometheus",
    )


CASES: dict[str, Callable[[], LatencySnapshot]] = {
    "prometheus": prom_like,
    "empty-error": lambda: empty(HealthState.ERROR, "ConnectionError: 127.0.0.1:9090 refused"),
    "empty-no-data": lambda: empty(HealthState.OK),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_latency_states(case: str, snap_compare: Any) -> None:
    harness = PaneHarness(LatencyPane(classes="pane"), CASES[case]())
    assert snap_compare(harness, terminal_size=(110, 18))


async def test_no_data_and_error_read_differently_on_screen() -> None:
    texts = {}
    for case in ("empty-error", "empty-no-data"):
        app = PaneHarness(LatencyPane(classes="pane"), CASES[case]())
        async with app.run_test(size=(110, 18)) as pilot:
            await pilot.pause()
            pane = app.the_pane
            assert pane.has_class("-empty")
            shown = pane.query_one("#latency-empty", Line)
            assert shown.display  # the table's place goes to the message
            texts[case] = str(shown.render())
    assert texts["empty-error"].startswith("error: ConnectionError")
    assert texts["empty-no-data"].startswith("no data")


# --- baseline and regression, by keys ------------------------------------------------------


class Scripted:
    """A latency source the test feeds snapshot by snapshot."""

    name = "scripted"

    def __init__(self) -> None:
        self.queue: asyncio.Queue[LatencySnapshot] = asyncio.Queue()

    async def watch(self) -> AsyncIterator[LatencySnapshot]:
        while True:
            yield await self.queue.get()

    async def aclose(self) -> None:
        return None


async def test_baseline_skips_lower_bounds_and_regression_alerts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the alert's 30 s hold is tested on its own (test_alerts): here it shows at once
    monkeypatch.setitem(alerts.HOLD, AlertKind.P999_REGRESSION, timedelta(0))
    sources = local_sources()
    scripted = Scripted()
    sources.by_capability["latency"] = scripted
    app = WatchfloorApp(sources)
    first = prom_like()
    async with app.run_test(size=SIZE) as pilot:
        now = app.clock.now()
        fresh = SourceHealth(state=HealthState.OK, last_ok_at=now)
        await scripted.queue.put(first.model_copy(update={"health": fresh, "observed_at": now}))
        await wait_for(pilot, lambda: app.snapshots["latency"] is not None, what="latency")
        await pilot.press("b")
        await pilot.pause()
        assert app.baselines == {DOCS: 180.0}  # "> 5,000 ms" is not a baseline
        table = app.pane("latency").table()
        assert str(table.get_cell(DOCS, "vs base")) == "+0%"

        later = now + timedelta(seconds=1)
        worse = tuple(
            r.model_copy(update={"p999_ms": 200.0}) if r.route == DOCS else r for r in first.routes
        )
        await scripted.queue.put(
            first.model_copy(
                update={
                    "routes": worse,
                    "observed_at": later,
                    "health": SourceHealth(state=HealthState.OK, last_ok_at=later),
                }
            )
        )

        def regression() -> bool:
            return any(a.key == f"p999:{DOCS}" for a in app.query_one(AlertStrip).alerts)

        await wait_for(pilot, regression, what="the p99.9 regression alert")
        alert = next(a for a in app.query_one(AlertStrip).alerts if a.key == f"p999:{DOCS}")
        assert "+11%" in alert.message and "baseline 180 ms" in alert.message
        assert str(table.get_cell(DOCS, "vs base")) == "+11%"


async def test_values_grey_out_when_the_source_goes_quiet() -> None:
    snap = prom_like().model_copy(update={"routes": prom_like().routes[:1]})
    app = PaneHarness(LatencyPane(classes="pane"), snap)
    async with app.run_test(size=(110, 18)) as pilot:
        await pilot.pause()
        table = app.the_pane.table()
        fresh = table.get_cell(DOCS, "p99.9")
        assert isinstance(fresh, Text) and fresh.spans[0].style == "green"
        app.the_pane.now = T0 + timedelta(seconds=30)  # no news for 30 s: STALE
        await pilot.pause()
        stale = table.get_cell(DOCS, "p99.9")
        assert isinstance(stale, Text) and stale.spans[0].style == "grey50"
        assert app.the_pane.has_class("-stale")


async def test_the_title_says_over_what_time_p999_is_taken() -> None:
    """After `e`, p99.9 stayed over SLO for exactly a minute with no hint why; the Access
    pane says "in 60s", the latency pane said nothing of its window."""
    from tests.helpers import SIZE, local_app, wait_for
    from tui.panes.latency import LatencyPane

    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        pane = app.query_one(LatencyPane)
        assert str(pane.border_title).endswith(" · over the last 60 s")
