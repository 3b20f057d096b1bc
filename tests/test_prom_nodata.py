"""A Prometheus that answers with nothing to compute from is no data, not "ok, 0.00 %".

Before, against a real Prometheus whose scraped target was dead: every route read
`no data`, its errors `0.00%`, the border `● ok · prometheus`, no `source no data` alert
came after a minute, and `snapshot --json` said `state: ok`, `error_rate: 0.0`. Now the
source is NO_DATA (the border says so), an error rate with no series or NaN is unknown
(`—`, null), and `source no data` is raised after NO_DATA_GRACE as for the other sources.
Real Prometheus (the Debian package) scraping a port nobody listens on."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text

from backends.clock import FrozenClock
from backends.config import load
from backends.models import HealthState, LatencySnapshot, RouteState
from backends.prom.options import PromOptions
from backends.prom.source import PromLatency
from backends.registry import BackendContext
from backends.wiring import build_sources
from tests.conftest import watchfloor_cmd
from tests.helpers import wait_for
from tests.prom_server import PromServer, free_port
from tui.app import WatchfloorApp

pytestmark = pytest.mark.slow

DOCS = "GET /docs/:id"
# a real NaN from Prometheus: 0 / 0 for the route, as an error rate with no requests is
NAN_ERRORS = 'label_replace(vector(0) / 0, "route", "GET /docs/:id", "", "")'


@pytest.fixture(scope="module")
def prom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PromServer]:
    dead = f"127.0.0.1:{free_port()}"  # the scraped target is down: no series at all
    server = PromServer(tmp_path_factory.mktemp("prometheus"), [dead])
    server.start()
    yield server
    server.stop()


async def fetched(prom: PromServer, tmp_path: Path, **over: Any) -> LatencySnapshot:
    opts = PromOptions(**({"url": prom.url, "window": "15s", "timeout_s": 2.0} | over))
    src = PromLatency(opts, BackendContext(data_dir=tmp_path, interval_s=1))
    try:
        return await src.snapshot()
    finally:
        await src.aclose()


async def test_no_series_is_no_data_with_unknown_error_rates(
    prom: PromServer, tmp_path: Path
) -> None:
    snap = await fetched(prom, tmp_path)
    assert snap.health.state is HealthState.NO_DATA, snap.health
    assert snap.health.answering  # it answered, with nothing: not down
    assert snap.health.last_error == "no requests observed on these routes in the last 15s"
    assert [r.state for r in snap.routes] == [RouteState.NO_DATA] * len(snap.routes)
    assert [r.error_rate for r in snap.routes] == [None] * len(snap.routes)


async def test_a_nan_error_rate_is_unknown_not_zero(prom: PromServer, tmp_path: Path) -> None:
    assert prom.query(NAN_ERRORS, datetime.now(UTC))[0]["value"][1] == "NaN"
    snap = await fetched(prom, tmp_path, routes=(DOCS,), error_rate_query=NAN_ERRORS)
    (r,) = snap.routes
    assert r.error_rate is None and snap.health.state is HealthState.NO_DATA


def test_snapshot_json_says_no_data_and_no_error_rate(prom: PromServer) -> None:
    proc = subprocess.run(
        [*watchfloor_cmd(), "snapshot", "--json", "--for", "1.5s"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "WATCHFLOOR_UI__REFRESH_S": "0.5",
            "WATCHFLOOR_PANES__LATENCY": "prometheus",
            "WATCHFLOOR_BACKENDS__PROMETHEUS__URL": prom.url,
        },
    )
    assert proc.returncode == 0, proc.stderr
    latency = json.loads(proc.stdout)["latency"]
    assert latency["health"]["state"] == "no-data", latency["health"]
    assert [r["error_rate"] for r in latency["routes"]] == [None] * len(latency["routes"])


async def test_the_dashboard_says_no_data_and_raises_source_no_data_after_a_minute(
    prom: PromServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {
        "PANES__LATENCY": "prometheus",
        "BACKENDS__PROMETHEUS__URL": prom.url,
        "BACKENDS__PROMETHEUS__TIMEOUT_S": "2",
    }.items():
        monkeypatch.setenv(f"WATCHFLOOR_{key}", value)
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    app = WatchfloorApp(build_sources(load(), clock=clock), clock=clock)

    def polled() -> bool:  # a poll of the clock's time (evaluated a second before)
        snap = app.snapshots["latency"]
        return snap is not None and snap.observed_at == clock.now() - timedelta(seconds=1)

    def alerts() -> list[str]:
        return [f"{a.kind.value}: {a.message}" for a in app.alert_strip.alerts]

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, polled, within=20, what="the first poll")
        start = clock.now()
        await pilot.pause(1.2)
        pane = app.pane("latency")
        assert pane.has_class("-no-data")
        subtitle = Text.from_markup(str(pane.border_subtitle)).plain
        assert subtitle == "○ no data · prometheus", subtitle
        assert str(pane.table().get_cell(DOCS, "errors")) == "—"
        while clock.now() - start < timedelta(seconds=63):  # a poll at a time: never stale
            clock.advance(3)
            await wait_for(pilot, polled, within=20, what=f"a poll at {clock.now()}")
        await pilot.pause(1.2)
        found = [a for a in alerts() if a.startswith("source no data")]
        assert len(found) == 1, alerts()
        (alert,) = found
        assert alert.startswith("source no data: latency (prometheus): no data for 1m: "), alert
        assert "no data for 1m" in str(app.alert_strip.render())
