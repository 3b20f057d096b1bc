"""The shared client policy in the `kube` backend, against the local Kubernetes API for
VirtualServices: the read timeout follows the API server's latency, 502/503/504 reads are
retried within the budget, a bare 500 InternalError is not (as client-go), and a write is
sent once (its 409 is the adapter's, re-read and recomputed, not the policy's)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from backends.config import load
from backends.kube.faults import KubeFaults
from backends.kube.options import KubeOptions
from backends.models import Actor, FaultRequest, FaultSpec, HealthState
from backends.registry import BackendContext
from backends.wiring import Sources, build_sources
from tests.kube_fake import TOKEN, FakeKube, virtual_service
from tests.test_client_policy_common import (
    CEILING_S,
    Rig,
    adapts_up_then_down,
    retries_within_budget,
)


def gets(api: FakeKube) -> int:
    return sum(1 for m, _ in api.requests if m == "GET")


def rig(api: FakeKube, tmp_path: Path) -> tuple[Rig, KubeFaults]:
    opts = KubeOptions(api_url=api.url, token=TOKEN, request_timeout_s=CEILING_S)
    src = KubeFaults(opts, BackendContext(data_dir=tmp_path))

    async def poll() -> HealthState:
        try:
            return (await src.snapshot()).health.state
        except Exception:
            return HealthState.ERROR

    def heal() -> None:
        api.failures.clear()

    return Rig(
        policy=src.client_policy,
        poll=poll,
        received=lambda: gets(api),
        delay=api.slow,
        fail_all=lambda: api.fail("GET", 503, 10_000),
        heal=heal,
    ), src


def sources(api: FakeKube) -> Sources:
    data_dir = Path(os.environ["WATCHFLOOR_DATA_DIR"])
    options = {"api_url": api.url, "token": TOKEN, "request_timeout_s": CEILING_S}
    lines = ["[ui]", 'actor = "erin"', "[panes]", 'faults = "kube"', "[backends.kube]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in options.items()]
    path = data_dir.parent / "kube-policy-test.toml"
    path.write_text("\n".join(lines) + "\n")
    return build_sources(load(path))


async def test_timeout_follows_the_api_server_latency(api: FakeKube, tmp_path: Path) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    r, src = rig(api, tmp_path)
    try:
        await adapts_up_then_down(r)
    finally:
        await src.aclose()


async def test_503_reads_are_retried_within_the_budget(api: FakeKube, tmp_path: Path) -> None:
    r, src = rig(api, tmp_path)
    try:
        assert await r.poll() is HealthState.OK
        await retries_within_budget(r)
    finally:
        await src.aclose()


async def test_a_bare_500_is_not_retried_a_503_is(api: FakeKube, tmp_path: Path) -> None:
    r, src = rig(api, tmp_path)
    try:
        assert await r.poll() is HealthState.OK
        before = gets(api)
        api.fail("GET", 500)
        assert await r.poll() is HealthState.ERROR  # InternalError: a retry would not help
        assert gets(api) == before + 1
        api.fail("GET", 503)
        assert await r.poll() is HealthState.OK  # unavailable for a moment: one retry
        assert gets(api) == before + 3
        assert src.client_policy.retries == 1
    finally:
        await src.aclose()


async def test_writes_are_sent_once(api: FakeKube) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api)
    faults: Any = src["faults"]
    spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=500, delay_percent=10)
    req = FaultRequest(spec=spec, reason="game day: policy write test")
    try:
        api.fail("PUT", 503)
        with pytest.raises(Exception, match="503"):
            await faults.schedule(req, Actor(name="erin"))
        assert sum(1 for m, _ in api.requests if m == "PUT") == 1  # not replayed
        assert faults.client_policy.retries == 0
        await faults.schedule(req, Actor(name="erin"))  # and the next one goes through
    finally:
        await src.aclose()
