"""The Envoy and Netflix adaptive-concurrency presets against a real Prometheus scraping
labs that serve those metric names (`watchfloor lab --metrics-style envoy|netflix`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends.lab.metrics import STYLES
from backends.models import RouteState
from backends.prom.options import PromOptions
from backends.prom.source import PromLatency
from backends.registry import BackendContext
from tests.prom_server import LabThread, PromServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def labs() -> Iterator[dict[str, LabThread]]:
    started = {}
    try:
        for style in ("envoy", "netflix"):
            lab = LabThread(seed=7, style=style)
            lab.start()
            started[style] = lab
        yield started
    finally:
        for lab in started.values():
            lab.stop()


@pytest.fixture(scope="module")
def prom(
    labs: dict[str, LabThread], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PromServer]:
    server = PromServer(tmp_path_factory.mktemp("prom-presets"), [x.target for x in labs.values()])
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("preset", ["envoy", "netflix"])
async def test_preset_reads_limit_inflight_blocked(
    preset: str, labs: dict[str, LabThread], prom: PromServer, tmp_path: Path
) -> None:
    style = STYLES[preset]
    # the lab's latency histogram keeps its own name; only the adaptive metrics are Envoy's
    # or Netflix's, so point the latency part of the preset at it
    opts = PromOptions(
        url=prom.url,
        window="10s",
        preset=preset,
        latency_metric="watchfloor_request_duration_seconds",
        latency_unit_ms=1000,
        route_label=style.route_label,
    )
    src = PromLatency(opts, BackendContext(data_dir=tmp_path, interval_s=0.5))
    try:
        for _ in range(60):
            snap = await src.snapshot()
            if all(r.state is RouteState.OK and r.limit is not None for r in snap.routes):
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError(f"preset {preset} never gave limits: {snap}")
    finally:
        await src.aclose()
    assert not snap.health.last_error, snap.health.last_error
    own = prom.query(style.limit, snap.observed_at)
    limits = {s["metric"][style.route_label]: float(s["value"][1]) for s in own}
    for r in snap.routes:
        assert r.limit == limits[r.route]
        assert r.inflight is not None and r.inflight > 0
        assert r.blocked == 0.0  # no fault: nothing over the limit
        assert r.p999_ms is not None
