"""The shared client policy in the `prometheus` and `prometheus-access` backends, against a
stub of Prometheus's query API (tests/prom_server.py) that can be slowed down and made to
answer 5xx, and (slow) a real Prometheus that must accept the timeout it is sent."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends.models import HealthState
from backends.prom.options import PromOptions
from backends.prom.source import PromLatency
from backends.prometheus_access import PromAccess, PromAccessOptions
from backends.registry import BackendContext
from tests.prom_server import PromAPIStub, PromServer, prometheus_binary, running_stub
from tests.test_client_policy_common import (
    CEILING_S,
    Rig,
    adapts_up_then_down,
    retries_within_budget,
)

QUERIES_PER_POLL = 8  # classic: quantile, buckets; error rate, limit, inflight, blocked,
# cache; the history range


@pytest.fixture
def stub() -> Iterator[PromAPIStub]:
    with running_stub() as s:
        yield s


def latency_rig(stub: PromAPIStub, tmp_path: Path) -> tuple[Rig, PromLatency]:
    opts = PromOptions(url=stub.url, timeout_s=CEILING_S, histogram="classic", eval_lag_s=0)
    src = PromLatency(opts, BackendContext(data_dir=tmp_path, interval_s=1))

    async def poll() -> HealthState:
        snap = await src.snapshot()  # the p99.9 queries failing fail the poll
        health = snap.health
        # the stub serves no series: its answer is NO_DATA (saying so, no query failed)
        if health.state is HealthState.NO_DATA and health.last_error == src.quiet_words():
            return HealthState.OK
        return HealthState.ERROR if health.last_error else health.state

    async def safe_poll() -> HealthState:
        try:
            return await poll()
        except Exception:
            return HealthState.ERROR

    def delay(s: float) -> None:
        stub.delay_s = s

    return Rig(
        policy=src.client_policy,
        poll=safe_poll,
        received=lambda: len(stub.requests),
        delay=delay,
        fail_all=lambda: stub.fail_next(10_000, 503),
        heal=stub.heal,
    ), src


def access_rig(stub: PromAPIStub, tmp_path: Path) -> tuple[Rig, PromAccess]:
    src = PromAccess(
        PromAccessOptions(url=stub.url, timeout_s=CEILING_S), BackendContext(data_dir=tmp_path)
    )

    async def poll() -> HealthState:
        try:
            health = (await src.snapshot()).health
        except Exception:
            return HealthState.ERROR
        # the stub serves no decision counters: its answer is NO_DATA, and an answer
        return HealthState.OK if health.answering else health.state

    def delay(s: float) -> None:
        stub.delay_s = s

    return Rig(
        policy=src.client_policy,
        poll=poll,
        received=lambda: len(stub.requests),
        delay=delay,
        fail_all=lambda: stub.fail_next(10_000, 503),
        heal=stub.heal,
        calls_per_poll=4,  # denied and all, overall and by the one label, concurrently
    ), src


async def test_latency_timeout_follows_prometheus(stub: PromAPIStub, tmp_path: Path) -> None:
    r, src = latency_rig(stub, tmp_path)
    try:
        await adapts_up_then_down(r)
        timeouts = [
            urllib.parse.parse_qs(urllib.parse.urlsplit(t).query)["timeout"][0]
            for t in stub.requests
        ]
        assert timeouts[0] == "2000ms"  # Prometheus is told the client's own limit ...
        assert "500ms" in timeouts  # ... as it adapts (and in a form it parses)
    finally:
        await src.aclose()


async def test_latency_5xx_retried_within_the_budget(stub: PromAPIStub, tmp_path: Path) -> None:
    r, src = latency_rig(stub, tmp_path)
    try:
        assert await r.poll() is HealthState.OK
        assert len(stub.requests) == QUERIES_PER_POLL
        await retries_within_budget(r)
    finally:
        await src.aclose()


async def test_access_timeout_follows_prometheus(stub: PromAPIStub, tmp_path: Path) -> None:
    r, src = access_rig(stub, tmp_path)
    try:
        await adapts_up_then_down(r)
    finally:
        await src.aclose()


async def test_access_5xx_retried_within_the_budget(stub: PromAPIStub, tmp_path: Path) -> None:
    r, src = access_rig(stub, tmp_path)
    try:
        assert await r.poll() is HealthState.OK
        await retries_within_budget(r, settle=1.0)
    finally:
        await src.aclose()


@pytest.mark.slow
@pytest.mark.skipif(prometheus_binary() is None, reason="prometheus is not installed")
async def test_a_real_prometheus_accepts_the_adaptive_timeout(tmp_path: Path) -> None:
    """Fractions of a second with a unit ("0.5s") are a 400 to Prometheus: every query
    the adapters send must parse, whatever their timeout has adapted to."""
    server = PromServer(tmp_path, ["127.0.0.1:9"])
    server.start()
    try:
        opts = PromOptions(url=server.url, timeout_s=0.75, histogram="classic")
        src = PromLatency(opts, BackendContext(data_dir=tmp_path, interval_s=1))
        access = PromAccess(
            PromAccessOptions(url=server.url, timeout_s=0.75), BackendContext(data_dir=tmp_path)
        )
        try:
            for _ in range(3):
                snap = await src.snapshot()
                # a dead target: no series, NO_DATA, and no query failed
                assert snap.health.answering and snap.health.last_error == src.quiet_words()
                assert (await access.snapshot()).health.answering  # (no counters: NO_DATA)
            assert src.client_policy.current_s < 0.75  # adapted, so fractional: still parsed
        finally:
            await src.aclose()
            await access.aclose()
    finally:
        server.stop()
