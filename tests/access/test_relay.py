"""The relay: OPA's Decision Log Service API in, one MQTT message per event out."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
from pathlib import Path

import aiomqtt
import httpx

from backends.mqtt.options import MqttOptions
from backends.mqtt.source import MqttAccess
from backends.registry import BackendContext
from backends.relay import MqttPublisher, Relay
from tests.access.broker import Broker, free_port, wait_port
from tests.access.events import ground_truth, random_events
from tests.conftest import watchfloor_cmd

# What OPA's decision_logs plugin sends (plugins/logs: gzip'd JSON array, POST /logs).
OPA_HEADERS = {
    "Content-Encoding": "gzip",
    "Content-Type": "application/json",
    "User-Agent": "Open Policy Agent/1.4.2 (linux, amd64)",
}


async def collect(broker: Broker, topic: str, n: int, ready: asyncio.Event) -> list[bytes]:
    got: list[bytes] = []
    async with aiomqtt.Client("127.0.0.1", broker.port) as sub:
        await sub.subscribe(topic, qos=1)
        ready.set()
        async with asyncio.timeout(15):
            async for msg in sub.messages:
                assert isinstance(msg.payload, bytes)
                got.append(msg.payload)
                if len(got) == n:
                    break
    return got


async def test_a_gzip_batch_as_opa_posts_it_is_republished(broker: Broker) -> None:
    events = random_events(40, seed=9)
    relay = Relay(MqttPublisher("127.0.0.1", broker.port, "relay/one"))
    host, port = await relay.start("127.0.0.1", 0)
    ready = asyncio.Event()
    sub = asyncio.create_task(collect(broker, "relay/one", len(events), ready))
    try:
        await ready.wait()
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as http:
            resp = await http.post(
                "/logs", content=gzip.compress(json.dumps(events).encode()), headers=OPA_HEADERS
            )
            assert resp.status_code == 200, resp.text
            bad = await http.post("/logs", content=b"not gzip", headers=OPA_HEADERS)
            assert bad.status_code == 400
            obj = await http.post(
                "/logs", content=gzip.compress(b'{"not": "an array"}'), headers=OPA_HEADERS
            )
            assert obj.status_code == 400
        got = await sub
    finally:
        await relay.aclose()
    assert [json.loads(p) for p in got] == events
    assert (relay.stats.batches, relay.stats.events, relay.stats.rejected) == (1, 40, 2)


async def test_relay_to_dashboard_end_to_end(broker: Broker, tmp_path: Path) -> None:
    events = random_events(120, seed=3)
    src = MqttAccess(
        MqttOptions(port=broker.port, topic="relay/e2e", qos=1),
        BackendContext(data_dir=tmp_path, interval_s=0.1),
    )
    relay = Relay(MqttPublisher("127.0.0.1", broker.port, "relay/e2e"))
    host, port = await relay.start("127.0.0.1", 0)
    src.start()
    try:
        for _ in range(500):
            if src.connected:
                break
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as http:
            for chunk in (events[:50], events[50:]):  # two uploads, as OPA batches them
                body = gzip.compress(json.dumps(chunk).encode())
                resp = await http.post("/logs", content=body, headers=OPA_HEADERS)
                assert resp.status_code == 200
        for _ in range(500):
            if src.window.accepted == len(events):
                break
            await asyncio.sleep(0.02)
        snap = src.snapshot()
    finally:
        await relay.aclose()
        await src.aclose()
    got = {(r.dimension, r.value): (r.total, r.denied) for r in snap.rows}
    assert got == ground_truth(events)


async def test_broker_down_answers_503_so_opa_retries(tmp_path: Path) -> None:
    relay = Relay(MqttPublisher("127.0.0.1", free_port(), "relay/down"))
    host, port = await relay.start("127.0.0.1", 0)
    try:
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as http:
            resp = await http.post(
                "/logs", content=gzip.compress(b"[{}]"), headers=OPA_HEADERS, timeout=15
            )
    finally:
        await relay.aclose()
    assert resp.status_code == 503
    assert relay.stats.unavailable == 1


def test_relay_command(broker: Broker) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            *watchfloor_cmd(),
            "relay",
            "--listen",
            f"127.0.0.1:{port}",
            "--mqtt",
            f"127.0.0.1:{broker.port}",
            "--topic",
            "relay/cli",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_port(port, up=True, within=20)
        events = random_events(5, seed=5)

        async def go() -> list[bytes]:
            ready = asyncio.Event()
            sub = asyncio.create_task(collect(broker, "relay/cli", 5, ready))
            await ready.wait()
            async with httpx.AsyncClient() as http:
                resp = await http.post(
                    f"http://127.0.0.1:{port}/logs",
                    content=gzip.compress(json.dumps(events).encode()),
                    headers=OPA_HEADERS,
                )
                assert resp.status_code == 200
            return await sub

        got = asyncio.run(go())
        assert [json.loads(p)["decision_id"] for p in got] == [e["decision_id"] for e in events]
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    # it takes any path (its help says so), so the line says so, not "/logs" alone
    assert f"relay: http://127.0.0.1:{port} (any path; OPA posts to /logs) -> mqtt://" in out
    assert "1 batches, 5 events published" in err
