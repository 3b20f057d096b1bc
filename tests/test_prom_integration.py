"""The Prometheus adapter against a real Prometheus (the Debian package) scraping the lab.

One lab (the simulator in real time, its metrics served by prometheus_client) and one
Prometheus (1 s scrapes) per module. The search route runs under a fault window that
delays 5 % of its requests by 8 s, beyond the last finite bucket (5 s), so its p99.9 lies
in the +Inf bucket.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backends.clock import utc_now
from backends.config import load
from backends.models import FaultSpec, FaultWindow, HealthState, LatencySnapshot, RouteState
from backends.prom.options import PromOptions
from backends.prom.source import PromLatency
from backends.registry import BackendContext
from backends.wiring import build_sources
from tests.helpers import SIZE, wait_for
from tests.prom_server import LabThread, PromServer
from tui.app import WatchfloorApp

pytestmark = pytest.mark.slow

DOCS, SEARCH = "GET /docs/:id", "GET /search"
WINDOW = "15s"
COUNT = "watchfloor_request_duration_seconds_count"


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    now = utc_now()
    fault = FaultWindow(
        id="fw-search-inf",
        spec=FaultSpec(target_host="search-api", namespace="stage", delay_ms=8000, delay_percent=5),
        owner="test",
        reason="push search p99.9 past the last finite bucket",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
    )
    lab = LabThread(faults=[fault])
    lab.start()
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def prom(lab: LabThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PromServer]:
    server = PromServer(tmp_path_factory.mktemp("prometheus"), [lab.target])
    server.start()
    yield server
    server.stop()


def options(prom: PromServer, **over: Any) -> PromOptions:
    base: dict[str, Any] = {"url": prom.url, "window": WINDOW, "timeout_s": 2.0}
    return PromOptions(**(base | over))


async def settled(src: PromLatency, min_obs: int, within_s: float = 45.0) -> LatencySnapshot:
    """Poll until both routes have a p99.9 over at least `min_obs` observations."""
    loop = asyncio.get_running_loop()
    until = loop.time() + within_s
    snap = None
    while loop.time() < until:
        snap = await src.snapshot()
        if all(r.state is RouteState.OK and r.observations >= min_obs for r in snap.routes):
            return snap
        await asyncio.sleep(0.5)
    raise AssertionError(f"no settled snapshot within {within_s}s; last: {snap}")


def exact_p999(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, math.floor(len(s) * 0.999))]


async def test_p999_agrees_with_prometheus_and_the_exact_samples(
    lab: LabThread, prom: PromServer, tmp_path: Path
) -> None:
    src = PromLatency(
        options(prom, history_every_s=1, history_s=600, history_step_s=5),
        BackendContext(data_dir=tmp_path, interval_s=0.5),
    )
    try:
        snap = await settled(src, min_obs=250)
    finally:
        await src.aclose()
    at = snap.observed_at
    routes = {r.route: r for r in snap.routes}
    assert snap.source == "prometheus" and snap.health.state is HealthState.OK
    assert snap.window_s == 15.0

    # 1. the same query, asked of Prometheus directly at the same instant
    own = {
        s["metric"]["route"]: float(s["value"][1]) * 1000 for s in prom.query(src.q.quantile, at)
    }
    for name, r in routes.items():
        assert r.p999_ms == pytest.approx(own[name], abs=0.001), name

    # 2. the exact p99.9 of the samples Prometheus counted: the counter values of the
    # first and last scrape in the window delimit them in the lab's own record
    window = prom.query(f'{COUNT}{{route="{DOCS}"}}[{WINDOW}]', at)[0]["values"]
    (t0, c0), (t1, c1) = window[0], window[-1]
    first, last = int(float(c0)), int(float(c1))
    counted = lab.recorder.samples[DOCS][first:last]
    n = len(counted)
    assert n == last - first >= 200
    exact = exact_p999(counted)
    docs = routes[DOCS]
    assert docs.p999_ms is not None and docs.p999_low_ms is not None
    assert docs.p999_high_ms is not None and not docs.above_last_bucket
    width = docs.p999_high_ms - docs.p999_low_ms
    assert abs(docs.p999_ms - exact) <= width, (docs, exact)
    # observations: what was counted, extrapolated to the window's edges at most
    assert n <= docs.observations <= math.ceil(n * 15 / (float(t1) - float(t0))) + 1
    assert docs.low_confidence is (docs.observations < 1000)

    # 3. the +Inf bucket: a lower bound, said as one
    search = routes[SEARCH]
    assert search.above_last_bucket
    assert search.p999_ms == pytest.approx(5000.0) and search.p999_low_ms == pytest.approx(5000.0)
    assert search.p999_high_ms is None

    # 4. adaptive limits, cache ratios and history came along
    for r in routes.values():
        assert r.limit is not None and 50 <= r.limit <= 400
        assert r.inflight is not None and r.inflight > 0
        assert r.history, r.route
    assert [c.layer for c in snap.cache] == ["edge", "app", "db"]
    assert all(0.5 < c.hit_ratio < 1 for c in snap.cache)
    limits = prom.query("watchfloor_adaptive_concurrency_limit", at)
    assert {s["metric"]["route"]: float(s["value"][1]) for s in limits} == {
        k: r.limit for k, r in routes.items()
    }


async def test_unknown_routes_are_no_data_not_error(prom: PromServer, tmp_path: Path) -> None:
    """No series for any route: the source answers with nothing (NO_DATA), not ok."""
    src = PromLatency(
        options(prom, routes=("GET /nowhere",)), BackendContext(data_dir=tmp_path, interval_s=1)
    )
    try:
        snap = await src.snapshot()
    finally:
        await src.aclose()
    assert snap.health.state is HealthState.NO_DATA and snap.health.answering
    (r,) = snap.routes
    assert r.state is RouteState.NO_DATA and r.p999_ms is None and r.observations == 0


def p999_text(app: WatchfloorApp, route: str) -> str:
    table = app.pane("latency").table()
    return str(table.get_cell(route, "p99.9"))


async def test_pane_shows_lower_bound_goes_stale_without_prometheus_and_recovers(
    lab: LabThread, prom: PromServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {
        "PANES__LATENCY": "prometheus",
        "BACKENDS__PROMETHEUS__URL": prom.url,
        "BACKENDS__PROMETHEUS__WINDOW": WINDOW,
        "BACKENDS__PROMETHEUS__TIMEOUT_S": "1",
        "UI__REFRESH_S": "0.5",
    }.items():
        monkeypatch.setenv(f"WATCHFLOOR_{key}", value)
    app = WatchfloorApp(build_sources(load()))

    def latency() -> LatencySnapshot | None:
        snap = app.snapshots["latency"]
        return snap if isinstance(snap, LatencySnapshot) else None

    def ok_with_values() -> bool:
        s = latency()
        return (
            s is not None
            and s.health.state is HealthState.OK
            and all(r.p999_ms is not None for r in s.routes)
        )

    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, ok_with_values, within=45, what="p99.9 from Prometheus")
        # the pane shows the snapshot at its next flush: on a loaded machine, after 0.2 s
        await wait_for(
            pilot, lambda: p999_text(app, SEARCH).startswith("> 5.00 s"), what="the pane"
        )
        assert app.pane("latency").has_class("-ok")

        await asyncio.to_thread(prom.stop)
        access_before = app.snapshots["access"]
        assert access_before is not None
        await wait_for(
            pilot, lambda: app.pane("latency").has_class("-error"), within=20, what="error"
        )
        await pilot.pause(1.2)
        subtitle = str(app.pane("latency").border_subtitle)
        assert "✖ " in subtitle and "old" in subtitle and "prometheus" in subtitle
        table = app.pane("latency").table()
        assert table.row_count == 2  # the last data stays on screen
        # the rest of the dashboard carries on
        access_now = app.snapshots["access"]
        assert access_now is not None and access_now.health.state is HealthState.OK
        assert access_now.observed_at > access_before.observed_at
        for cap in ("access", "grants", "release", "faults"):
            assert not app.pane(cap).has_class("-error"), cap

        await asyncio.to_thread(prom.start)
        await wait_for(
            pilot, lambda: app.pane("latency").has_class("-ok"), within=30, what="recovery"
        )
        snap = latency()
        assert snap is not None and snap.health.state is HealthState.OK
        assert "ok" in str(app.pane("latency").border_subtitle)


async def test_a_failing_auxiliary_query_blanks_only_its_figure(
    prom: PromServer, tmp_path: Path
) -> None:
    src = PromLatency(
        options(prom, limit_query="max by (route) (", cache_hits_metric="no_such_metric"),
        BackendContext(data_dir=tmp_path, interval_s=1),
    )
    try:
        snap = await settled(src, min_obs=1)
    finally:
        await src.aclose()
    assert snap.health.state is HealthState.OK
    assert snap.health.last_error and "limit query failed" in snap.health.last_error
    assert all(r.limit is None and r.inflight is not None for r in snap.routes)
    assert all(r.p999_ms is not None for r in snap.routes)
    assert snap.cache == ()  # no such metric: no ratio, and not an error


async def test_a_query_pasted_from_prometheus_reads_the_limits(
    prom: PromServer, tmp_path: Path
) -> None:
    """PromQL's own braces in a query option: the pane died at start with a KeyError."""
    query = 'max by (route) (watchfloor_adaptive_concurrency_limit{job="lab"})'
    src = PromLatency(
        options(prom, limit_query=query), BackendContext(data_dir=tmp_path, interval_s=1)
    )
    try:
        snap = await settled(src, min_obs=1)
    finally:
        await src.aclose()
    assert not snap.health.last_error, snap.health.last_error
    assert all(r.limit is not None and r.limit > 0 for r in snap.routes), snap.routes
