"""MQTT load for bench/ingest (a helper, not a benchmark of its own): a throwaway
Mosquitto broker, OPA decision-log payloads, and publishers that queue them for a
persistent session, send them as fast as paho can, or pace them at a rate in a separate
process (`PUBLISHER`: run it with `python -c PUBLISHER port rate topic`)."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

TOPIC = "bench/decisions"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_broker(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    conf = tmp / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_queued_messages 0\nmax_queued_bytes 0\nqueue_qos0_messages true\n"
        "max_inflight_messages 0\nlog_dest none\n"
    )
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("mosquitto did not start")


def stamp() -> str:
    """Now, as OPA writes a decision's time: the adapter counts a decision in the second
    it was made, and one older than its window only as late."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


def payloads(n: int, seed: int = 4, at: str | None = None) -> list[bytes]:
    """OPA decision-log events like the relay publishes (about 450 bytes each), made
    `at` (an RFC 3339 time, or a placeholder to replace; default: now)."""
    when = at or stamp()
    rnd = random.Random(seed)
    svcs = ("gateway", "docs-api", "search-api", "billing")
    tens = ("acme", "globex", "initech", "umbrella")
    dcs = ("public", "internal", "confidential", "restricted")
    regs = ("eu-west-1", "us-east-1", "ap-south-1")
    envs = ("dev", "stage", "prod")
    out = []
    for i in range(n):
        ten = rnd.choice(tens)
        ev = {
            "labels": {"app": "gateway", "id": "opa-1", "version": "1.4.2"},
            "decision_id": f"{rnd.getrandbits(128):032x}",
            "bundles": {"abac": {"revision": "r42"}},
            "path": "abac/allow",
            "input": {
                "attrs": {
                    "service": rnd.choice(svcs),
                    "tenant": ten,
                    "data_class": rnd.choice(dcs),
                    "region": rnd.choice(regs),
                    "environment": rnd.choice(envs),
                    "role": "user",
                },
                "request": {"tenant": ten if rnd.random() > 0.1 else "acme", "data_class": "x"},
            },
            "result": rnd.random() > 0.1,
            "requested_by": "10.0.0.7:51234",
            "timestamp": when,
            "metrics": {"timer_rego_query_eval_ns": 61234},
            "req_id": i,
        }
        out.append(json.dumps(ev).encode())
    return out


def publish_fast(port: int, data: list[bytes], client_id: str = "bench-pub") -> None:
    """Publish with paho directly (its network thread): aiomqtt's publish awaits each
    message, which caps a publisher near 1,000 msg/s."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
    c.connect("127.0.0.1", port)
    c.loop_start()
    try:
        info = None
        for p in data:
            info = c.publish(TOPIC, p, qos=0)
        if info is not None:
            info.wait_for_publish(timeout=60)
    finally:
        c.disconnect()
        c.loop_stop()


async def preload(port: int, client_id: str, data: list[bytes]) -> None:
    """Register a persistent session, then queue `data` for it while it is away."""
    import aiomqtt

    async with aiomqtt.Client("127.0.0.1", port, identifier=client_id, clean_session=False) as c:
        await c.subscribe(TOPIC, qos=0)
    await asyncio.to_thread(publish_fast, port, data)
    await asyncio.sleep(0.5)  # let the broker finish queueing


PUBLISHER = """
import sys, time
import paho.mqtt.client as mqtt
from bench.mqtt_load import payloads, stamp
port, rate, topic = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
data = payloads(20000, seed=9, at="@STAMP@")
c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-paced")
c.connect("127.0.0.1", port)
c.loop_start()
t0 = time.perf_counter()
sent = 0
while True:
    due = int((time.perf_counter() - t0) * rate)
    now = stamp().encode()
    while sent < due:
        c.publish(topic, data[sent % len(data)].replace(b"@STAMP@", now), qos=0)
        sent += 1
    time.sleep(0.002)
"""
