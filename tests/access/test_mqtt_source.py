"""The mqtt AccessSource against a real Mosquitto: ground truth, bad payloads, restarts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiomqtt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backends.models import HealthState
from backends.mqtt.options import MqttOptions
from backends.mqtt.source import MqttAccess, backoff_delay
from backends.registry import BackendContext
from tests.access.broker import Broker
from tests.access.events import ground_truth, opa_event, random_events


def source(broker: Broker, tmp: Path, **opts: Any) -> MqttAccess:
    options = MqttOptions(
        port=broker.port,
        topic=opts.pop("topic", "test/decisions"),
        qos=1,
        reconnect_min_s=0.05,
        reconnect_max_s=0.4,
        **opts,
    )
    return MqttAccess(options, BackendContext(data_dir=tmp, interval_s=0.1))


async def publish(broker: Broker, topic: str, payloads: list[bytes]) -> None:
    async with aiomqtt.Client("127.0.0.1", broker.port) as pub:
        for p in payloads:
            await pub.publish(topic, p, qos=1)


async def until(cond: Callable[[], bool], within: float = 10.0, what: str = "") -> None:
    for _ in range(int(within / 0.02)):
        if cond():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def test_rates_equal_the_ground_truth(broker: Broker, tmp_path: Path) -> None:
    events = random_events(600, seed=4)
    src = source(broker, tmp_path)
    src.start()
    try:
        await until(lambda: src.connected, what="subscribed")
        await publish(broker, "test/decisions", [json.dumps(e).encode() for e in events])
        await until(lambda: src.window.accepted == len(events), what="every event")
        snap = src.snapshot()
    finally:
        await src.aclose()
    truth = ground_truth(events)
    denied = sum(1 for e in events if not e["result"])
    assert snap.health.state is HealthState.OK
    assert (snap.total, snap.denied) == (len(events), denied)
    assert snap.deny_rate == pytest.approx(denied / len(events))
    got = {(r.dimension, r.value): (r.total, r.denied) for r in snap.rows}
    assert got == truth
    for r in snap.rows:
        assert r.rate == pytest.approx(r.denied / r.total)
    assert len(snap.recent_denied) == min(50, denied)
    assert all(not d.allowed for d in snap.recent_denied)
    assert (snap.malformed, snap.oversized, snap.dropped, snap.sampled) == (0, 0, 0, False)
    recent = await src.recent_decisions(10_000)
    assert [d.decision_id for d in recent] == [e["decision_id"] for e in events]


async def test_arrays_bad_and_oversized_payloads_are_counted(
    broker: Broker, tmp_path: Path
) -> None:
    good = [opa_event(service="billing", tenant="acme", allowed=False) for _ in range(3)]
    payloads = [
        json.dumps(good).encode(),  # an array: three events
        b"\xff\xfe not json",
        b'{"decision_id": "x", "input": {"attrs": {}}}',  # no result
        json.dumps({"result": True, "input": "nope"}).encode(),
        json.dumps([good[0], 17]).encode(),  # one good, one bad element
        b"[" * 100_000,  # deep nesting, under the size limit
        b"x" * 200_001,  # over the size limit
    ]
    src = source(broker, tmp_path, topic="test/bad", max_payload_bytes=200_000)
    src.start()
    try:
        await until(lambda: src.connected, what="subscribed")
        await publish(broker, "test/bad", payloads)
        await until(lambda: src.messages == len(payloads), what="every payload")
        snap = src.snapshot()
    finally:
        await src.aclose()
    assert snap.total == 4 and snap.denied == 4
    assert snap.oversized == 1
    assert snap.malformed == 5  # not json, no result, bad input, element 17, too deep


async def test_path_filter_skips_other_policies(broker: Broker, tmp_path: Path) -> None:
    evs = [
        opa_event(service="gateway", tenant="acme"),
        opa_event(service="gateway", tenant="acme", path="system/health"),
    ]
    src = source(broker, tmp_path, topic="test/path", path="abac/allow")
    src.start()
    try:
        await until(lambda: src.connected, what="subscribed")
        await publish(broker, "test/path", [json.dumps(e).encode() for e in evs])
        await until(lambda: src.messages == 2, what="both")
    finally:
        await src.aclose()
    assert (src.window.accepted, src.skipped) == (1, 1)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
near_events = st.fixed_dictionaries(
    {},
    optional={
        "decision_id": json_values,
        "path": json_values,
        "input": st.fixed_dictionaries({}, optional={"attrs": json_values}) | json_values,
        "result": json_values,
        "timestamp": json_values,
    },
)
payloads = (
    st.binary(max_size=300)
    | json_values.map(lambda v: json.dumps(v).encode())
    | near_events.map(lambda v: json.dumps(v).encode())
    | st.lists(near_events, max_size=3).map(lambda v: json.dumps(v).encode())
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(payloads, min_size=1, max_size=12))
def test_fuzzed_payloads_never_crash(broker: Broker, tmp_path: Path, batch: list[bytes]) -> None:
    sentinel = json.dumps(opa_event(service="sentinel", tenant="acme")).encode()

    async def run() -> MqttAccess:
        src = source(broker, tmp_path, topic="test/fuzz")
        src.start()
        try:
            await until(lambda: src.connected, what="subscribed")
            await publish(broker, "test/fuzz", [*batch, sentinel])
            await until(lambda: src.messages == len(batch) + 1, what="every payload")
            src.snapshot()  # building a snapshot from whatever came must not fail either
            await src.recent_decisions(100)
            assert src._task is not None and not src._task.done()
        finally:
            await src.aclose()
        return src

    src = asyncio.run(run())
    not_json = 0
    for p in batch:
        try:
            json.loads(p)
        except ValueError:
            not_json += 1
    assert src.window.malformed >= not_json
    assert any(r.value == "sentinel" for r in src.window.rows())


async def test_ingestion_resumes_after_a_broker_restart(broker: Broker, tmp_path: Path) -> None:
    first = random_events(50, seed=1)
    second = random_events(70, seed=2)
    src = source(broker, tmp_path, topic="test/restart")
    src.start()
    try:
        await until(lambda: src.connected, what="subscribed")
        await publish(broker, "test/restart", [json.dumps(e).encode() for e in first])
        await until(lambda: src.window.accepted == 50, what="first batch")
        await asyncio.to_thread(broker.stop)
        await until(lambda: not src.connected, what="the drop noticed")
        down = src.snapshot()
        assert down.health.state is HealthState.ERROR
        assert f"(127.0.0.1:{broker.port})" in (down.health.last_error or "")
        assert down.total == 50  # the last counts are kept
        await asyncio.sleep(0.5)  # a few reconnect attempts fail meanwhile
        await asyncio.to_thread(broker.start)
        await until(lambda: src.connects >= 2 and src.connected, what="reconnect", within=15)
        await publish(broker, "test/restart", [json.dumps(e).encode() for e in second])
        await until(lambda: src.window.accepted == 120, what="second batch")
        snap = src.snapshot()
    finally:
        await src.aclose()
    assert snap.health.state is HealthState.OK
    truth = ground_truth(first + second)
    assert {(r.dimension, r.value): (r.total, r.denied) for r in snap.rows} == truth


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    lo_end = [backoff_delay(a, 0.5, 30.0, lambda: 0.0) for a in range(8)]
    hi_end = [backoff_delay(a, 0.5, 30.0, lambda: 1.0) for a in range(8)]
    assert lo_end == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]
    assert hi_end == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
