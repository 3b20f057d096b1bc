"""A p99.9 reads the same everywhere. The latency pane said `2.22 s` where the alert strip,
the alerts list (`A`), the timeline and the game-day report said `2220 ms` for the same
value: one on-call engineer read them as two numbers. Now they all say it as the pane does
(backends/durations.py `latency`): ms under a second, seconds above."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from backends import alerts
from backends.clock import FrozenClock
from backends.models import AlertKind
from tests.conftest import T0
from tests.helpers import SIZE, wait_for
from tests.test_baseline_restore import DOCS, feed, lat, new_app, reports
from tui.panes.alerts import AlertStrip
from tui.panes.keyed_table import KeyedTable
from tui.panes.latency_plot import Series, render_one
from tui.screens.alerts import AlertsScreen


def strip(app: object) -> str:
    return str(app.query_one(AlertStrip).render())  # type: ignore[attr-defined]


async def test_a_slow_p999_reads_in_seconds_in_the_strip_list_timeline_and_report(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(alerts.HOLD, AlertKind.P999_OVER_SLO, timedelta(0))
    clock = FrozenClock(T0)
    app, src = new_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        await feed(pilot, app, src, lat(T0, 2220.0, 320.0))
        table = app.pane("latency").table()
        assert str(table.get_cell(DOCS, "p99.9")) == "2.22 s!"  # the pane, as it was

        def raised() -> bool:
            return any(a.key == f"slo:{DOCS}" for a in app.query_one(AlertStrip).alerts)

        await wait_for(pilot, raised, what="the p99.9 over SLO alert")
        (alert,) = [a for a in app.query_one(AlertStrip).alerts if a.key == f"slo:{DOCS}"]
        assert alert.message == f"{DOCS} 2.22 s, SLO 400 ms (+455%)", alert.message
        await wait_for(pilot, lambda: "2.22 s" in strip(app), what="the strip")
        assert "2220" not in strip(app)

        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="alerts list")
        await pilot.pause()
        row = app.screen.query_one(KeyedTable).get_row(f"slo:{DOCS}")
        said = " ".join(str(cell) for cell in row)
        assert "2.22 s, SLO 400 ms" in said and "2220" not in said, said
        await pilot.press("escape")

        await pilot.press("b")  # marked: the toast and the timeline name it as the pane does
        await pilot.pause()
        texts = [e.text for e in app.timeline.events]
        assert any(f"{DOCS} 2.22 s" in t and "raised" in t for t in texts), texts
        assert any(f"{DOCS} 2.22 s" in t and "aseline" in t for t in texts), texts
        assert not [t for t in texts if "2220" in t], texts

        await feed(pilot, app, src, lat(T0, 2580.0, 320.0))
        await pilot.press("x")
        await pilot.pause()
    (md,) = await asyncio.to_thread(reports, data_dir)
    assert f"| {DOCS} | 400 ms | 2.22 s | 2.22 s | 2.58 s | +16.2% |" in md, md
    assert "2220" not in md and "2,220" not in md and "2,580" not in md


def test_the_plots_max_reads_as_the_table_beside_it() -> None:
    """The plot's title said "max 2,579 ms" above a table cell saying "2.58 s"."""
    series = Series(DOCS, (100.0, 2579.0), 250.0)
    assert render_one(series, 40, 5.0)[0].plain == f"{DOCS} · last 10s · max 2.58 s"
