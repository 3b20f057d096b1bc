"""`watchfloor lab --mqtt`: the simulator's decisions on a real broker, as OPA events."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from pathlib import Path

import aiomqtt

from backends.access_events import event_from
from backends.lab import Lab, Publisher
from backends.lab.mqtt import MqttDecisionPublisher
from backends.models import AccessSnapshot, Decision
from backends.mqtt.options import MqttOptions
from backends.mqtt.source import MqttAccess
from backends.registry import BackendContext
from tests.access.broker import Broker
from tests.conftest import watchfloor_cmd
from tests.dead_servers import refusing


async def run_lab_into(src: MqttAccess, lab: Lab, pub: MqttDecisionPublisher) -> AccessSnapshot:
    """Subscribe, run the lab for 1.5 s, wait until all it published is counted; the
    source's snapshot then."""
    src.start()
    try:
        for _ in range(500):
            if src.connected:
                break
            await asyncio.sleep(0.02)
        await lab.run(duration_s=1.5)
        for _ in range(250):
            if src.window.accepted >= pub.published > 0:
                break
            await asyncio.sleep(0.02)
        return src.snapshot()
    finally:
        await src.aclose()


async def test_lab_decisions_reach_the_mqtt_backend(broker: Broker, tmp_path: Path) -> None:
    src = MqttAccess(
        MqttOptions(port=broker.port, topic="lab/decisions"),
        BackendContext(data_dir=tmp_path, interval_s=0.1),
    )
    pub = MqttDecisionPublisher("127.0.0.1", broker.port, topic="lab/decisions")
    lab = Lab([pub], tick_s=0.05)
    snap = await run_lab_into(src, lab, pub)
    assert pub.published > 20 and pub.dropped == 0
    assert snap.total == pub.published  # every published decision counted once
    assert snap.malformed == 0
    assert {r.dimension for r in snap.rows} == {
        "service",
        "tenant",
        "data_class",
        "region",
        "environment",
    }


def test_lab_command_publishes_opa_events(broker: Broker) -> None:
    async def listen(proc_start: asyncio.Event) -> list[dict[str, object]]:
        got: list[dict[str, object]] = []
        async with aiomqtt.Client("127.0.0.1", broker.port) as sub:
            await sub.subscribe("watchfloor/decisions")
            proc_start.set()
            async with asyncio.timeout(20):
                async for msg in sub.messages:
                    assert isinstance(msg.payload, bytes)
                    got.append(json.loads(msg.payload))
                    if len(got) >= 10:
                        break
        return got

    async def main() -> list[dict[str, object]]:
        ready = asyncio.Event()
        task = asyncio.create_task(listen(ready))
        await ready.wait()
        proc = await asyncio.create_subprocess_exec(
            *watchfloor_cmd(),
            "lab",
            "--mqtt",
            f"127.0.0.1:{broker.port}",
            "--for",
            "8",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            return await task
        finally:
            proc.terminate()
            await proc.wait()

    events = asyncio.run(main())
    for ev in events:
        assert {"decision_id", "path", "input", "result", "labels", "timestamp"} <= ev.keys()
        event_from(ev)  # counts as a decision
        # abac/decision's answer, as OPA logs it: the outcome with the policy's reason
        assert ev["path"] == "abac/decision"
        assert isinstance(ev["result"], dict) and ev["result"]["reason"]


class Kept(Publisher):
    """The lab's decisions as the simulation made them, by id."""

    def __init__(self) -> None:
        self.by_id: dict[str, Decision] = {}

    def on_decision(self, decision: Decision) -> None:
        self.by_id[decision.decision_id] = decision


async def test_lab_denials_arrive_with_the_rules_that_denied_them(
    broker: Broker, tmp_path: Path
) -> None:
    """The lab published `result: false` alone: `d` could only guess a rule from the
    attributes ("restricted data in prod" for a data_residency denial). Now each event is
    abac/decision's, reason and all, and the example config's path filter counts it."""
    src = MqttAccess(
        MqttOptions(port=broker.port, topic="lab/reasons", path="abac/decision"),
        BackendContext(data_dir=tmp_path, interval_s=0.1),
    )
    kept = Kept()
    pub = MqttDecisionPublisher("127.0.0.1", broker.port, topic="lab/reasons")
    lab = Lab([kept, pub], tick_s=0.05)
    snap = await run_lab_into(src, lab, pub)
    assert snap.total == pub.published > 20 and src.skipped == 0
    assert snap.recent_denied
    for d in snap.recent_denied:
        sim = kept.by_id[d.decision_id]
        assert d.reason == sim.reason != "", d
        assert d.path == "abac/decision"


def test_lab_says_when_the_broker_is_down_and_exits_1_having_published_nothing(
    broker: Broker,
) -> None:
    """Before: its start line, then nothing, exit 0, with every decision going nowhere."""
    with refusing() as port:
        proc = subprocess.run(
            [*watchfloor_cmd(), "lab", "--mqtt", f"127.0.0.1:{port}", "--for", "2s"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 1, proc.stderr
    assert f"lab: mqtt decision logs mqtt://127.0.0.1:{port}/watchfloor/decisions" in proc.stdout
    lines = proc.stderr.splitlines()
    assert lines[0] == (
        "watchfloor: lab: mqtt decision logs: cannot reach the broker: connection refused"
        f" (127.0.0.1:{port}); decisions are queued (up to 50,000) and sent when it is back"
    ), proc.stderr
    assert re.fullmatch(
        r"watchfloor: lab: mqtt decision logs: 0 decisions published, [1-9][\d,]* refused"
        rf" while the broker was down \(connection refused \(127\.0\.0\.1:{port}\)\)",
        lines[-1],
    ), proc.stderr
    assert len(lines) == 2, proc.stderr  # once per outage, not once per retry
    # with the broker up: nothing to warn of, exit 0
    up = subprocess.run(
        [*watchfloor_cmd(), "lab", "--mqtt", f"127.0.0.1:{broker.port}", "--for", "1.5s"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert up.returncode == 0 and up.stderr == "", up.stderr
