"""The shared client policy in the `opa` backend, against the local OPA data API: the read
timeout follows OPA's latency, 5xx reads are retried within the budget, and a DELETE (a
revoke) is sent once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backends.models import Actor, HealthState
from backends.opa import OpaGrants, OpaOptions
from backends.registry import BackendContext
from tests.helpers import local_sources
from tests.opa_server import FakeOpa, running_opa
from tests.test_client_policy_common import (
    CEILING_S,
    FLOOR_S,
    Rig,
    adapts_up_then_down,
    retries_within_budget,
)

NS = 1_000_000_000


@pytest.fixture
def opa() -> Iterator[FakeOpa]:
    with running_opa() as server:
        yield server


def rig(opa: FakeOpa, tmp_path: Path, ceiling_s: float = CEILING_S) -> tuple[Rig, OpaGrants]:
    src = OpaGrants(OpaOptions(url=opa.url, timeout_s=ceiling_s), BackendContext(tmp_path))

    async def poll() -> HealthState:
        try:
            return (await src.snapshot()).health.state
        except Exception:
            return HealthState.ERROR

    def delay(s: float) -> None:
        opa.delay_s = s

    return Rig(
        policy=src.client_policy,
        poll=poll,
        received=lambda: len(opa.requests),
        delay=delay,
        fail_all=lambda: opa.fail_next(10_000, 500),
        heal=opa.heal,
    ), src


async def test_timeout_follows_opa_latency(opa: FakeOpa, tmp_path: Path) -> None:
    r, src = rig(opa, tmp_path)
    try:
        await adapts_up_then_down(r)
    finally:
        await src.aclose()


async def test_never_beyond_the_ceiling(opa: FakeOpa, tmp_path: Path) -> None:
    """Slower than the ceiling: the poll fails (and says so) at the ceiling, no later."""
    r, src = rig(opa, tmp_path, ceiling_s=1.0)
    try:
        assert await r.poll() is HealthState.OK
        r.delay(1.6)
        for _ in range(2):
            assert await r.poll() is HealthState.ERROR
        assert src.client_policy.current_s == 1.0
        assert src.client_policy.timeouts >= 2
        r.delay(0)
        assert await r.poll() is HealthState.OK
    finally:
        await src.aclose()


async def test_5xx_reads_are_retried_within_the_budget(opa: FakeOpa, tmp_path: Path) -> None:
    r, src = rig(opa, tmp_path)
    try:
        assert await r.poll() is HealthState.OK
        await retries_within_budget(r)
        assert src.client_policy.current_s == pytest.approx(FLOOR_S)  # 5xx is no slowness
    finally:
        await src.aclose()


async def test_a_revoke_delete_is_sent_once(opa: FakeOpa, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHFLOOR_PANES__GRANTS", "opa")
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__OPA__URL", opa.url)
    sources = local_sources()
    grants = sources["grants"]
    now_ns = int(grants.clock.now().timestamp() * NS)
    doc: dict[str, str | int] = {
        "subject": "bob",
        "role": "db-reader",
        "reason": "INC-9",
        "granted_by": "carol",
    }
    doc |= {"granted_at_ns": now_ns, "expires_at_ns": now_ns + 600 * NS}
    opa.data = {"breakglass": {"grants": {"g0000000001": doc}}}
    try:
        opa.fail_next(1, 503, method="GET")  # the read first: retried
        opa.fail_next(1, 503, method="DELETE")  # the write: not
        with pytest.raises(Exception, match="503"):
            await grants.revoke("g0000000001", Actor(name="dave"), "INC-9 is resolved now")
        methods = [m for m, _ in opa.requests]
        assert methods == ["GET", "GET", "DELETE"]
        assert grants.client_policy.retries == 1
    finally:
        await sources.aclose()
