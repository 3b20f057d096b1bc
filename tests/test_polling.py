"""The shared polling loop: sleeps after each fetch, keeps last data on failure."""

from __future__ import annotations

import asyncio

from backends.clock import SystemClock
from backends.models import HealthState, LatencySnapshot, RouteLatency, SourceHealth
from backends.polling import poll
from tests.conftest import T0


async def test_slow_fetch_never_stacks_requests() -> None:
    inflight = 0
    peak = 0
    calls = 0

    async def fetch() -> LatencySnapshot:
        nonlocal inflight, peak, calls
        calls += 1
        inflight += 1
        peak = max(peak, inflight)
        await asyncio.sleep(0.05)  # slower than the interval
        inflight -= 1
        return LatencySnapshot(
            observed_at=T0, health=SourceHealth(state=HealthState.OK, last_ok_at=T0)
        )

    stream = poll(LatencySnapshot, fetch, source="t", interval_s=0.01, clock=SystemClock())
    got = [await anext(stream) for _ in range(5)]
    assert len(got) == 5 and calls == 5
    assert peak == 1


async def test_failure_keeps_last_data_with_error_health() -> None:
    route = RouteLatency(route="GET /search", p999_ms=300, slo_ms=400, observations=9000)
    n = 0

    async def fetch() -> LatencySnapshot:
        nonlocal n
        n += 1
        if n == 2:
            raise TimeoutError("prometheus did not answer in 2s")
        return LatencySnapshot(
            observed_at=T0,
            routes=(route,),
            source="t",
            health=SourceHealth(state=HealthState.OK, last_ok_at=T0),
        )

    stream = poll(LatencySnapshot, fetch, source="t", interval_s=0, clock=SystemClock())
    ok, failed, recovered = [await anext(stream) for _ in range(3)]
    assert failed.routes == ok.routes
    assert failed.health.state is HealthState.ERROR
    assert failed.health.last_error == "prometheus did not answer in 2s"  # the cause, first
    assert failed.health.last_ok_at == T0
    assert recovered.health.state is HealthState.OK


async def test_failure_before_any_data_gives_empty_snapshot() -> None:
    async def fetch() -> LatencySnapshot:
        raise ConnectionRefusedError("nope")

    stream = poll(LatencySnapshot, fetch, source="t", interval_s=0, clock=SystemClock())
    snap = await anext(stream)
    assert snap.routes == () and snap.health.state is HealthState.ERROR
    assert snap.health.last_ok_at is None
