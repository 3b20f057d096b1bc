"""`watchfloor policy replay` with nothing to replay says so, exit 1.

Before: with the broker unreachable it printed `replayed 0 decisions through ... 0
allow->deny, 0 deny->allow, 0 unchanged`, exit 0, so `--fail-on-flips` passed in CI with
nothing checked; from a broker that answered with nothing it said the same. Now the
first is one line saying the source cannot be reached, the second that there is nothing
to replay and why (the source's own words, and the events of another path it ignored)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import aiomqtt

from backends.policy import policy_path
from tests.access.broker import Broker
from tests.access.events import opa_event
from tests.conftest import watchfloor_cmd
from tests.dead_servers import refusing


def replay(port: int, *more: str, path: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WATCHFLOOR_PANES__ACCESS": "mqtt",
        "WATCHFLOOR_BACKENDS__MQTT__PORT": str(port),
        "WATCHFLOOR_BACKENDS__MQTT__TOPIC": "replay/nothing",
        "WATCHFLOOR_BACKENDS__MQTT__PATH": path,
    }
    cmd = [*watchfloor_cmd(), "policy", "replay", str(policy_path("abac.rego")), *more]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)


def test_a_broker_that_cannot_be_reached_is_said_in_one_line() -> None:
    with refusing() as port:
        proc = replay(port, "--for", "1.5s", "--fail-on-flips")
        as_json = replay(port, "--for", "1s", "--json")
    assert proc.returncode == 1, proc.stdout
    assert proc.stdout == ""
    assert proc.stderr == (
        "watchfloor policy replay: the access source (mqtt) cannot be reached:"
        f" connection refused (127.0.0.1:{port})\n"
    )
    assert as_json.returncode == 1 and as_json.stdout == ""  # no success-looking document


def test_nothing_received_from_a_broker_that_answers_is_nothing_to_replay(
    broker: Broker,
) -> None:
    proc = replay(broker.port, "--for", "1s")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith(
        "watchfloor policy replay: nothing to replay: no decisions received on"
        " replay/nothing since "
    ), proc.stderr
    assert proc.stderr.endswith(" (listened 1s)\n"), proc.stderr
    assert "replayed 0" not in proc.stdout + proc.stderr


async def test_events_of_another_path_are_why_there_is_nothing_to_replay(
    broker: Broker, tmp_path: Path
) -> None:
    import asyncio

    task = asyncio.create_task(
        asyncio.to_thread(replay, broker.port, "--for", "3s", path="abac/decision")
    )
    async with aiomqtt.Client("127.0.0.1", broker.port) as pub:
        for _ in range(40):  # while it listens (it subscribes after starting up)
            e = opa_event(service="gateway", tenant="acme", path="abac/allow")
            await pub.publish("replay/nothing", json.dumps(e).encode(), qos=1)
            await asyncio.sleep(0.1)
    proc = await task
    assert proc.returncode == 1, proc.stderr
    assert "nothing to replay: no decisions of abac/decision received on replay/nothing" in (
        proc.stderr
    )
    assert "events of another path (abac/allow) ignored" in proc.stderr


def test_an_events_file_without_decisions_is_nothing_to_replay(tmp_path: Path) -> None:
    events = tmp_path / "events.json"
    events.write_text(json.dumps([{"msg": "not a decision"}]))
    cmd = [*watchfloor_cmd(), "policy", "replay", str(policy_path("abac.rego"))]
    proc = subprocess.run(
        [*cmd, "--events", str(events)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == (
        f"watchfloor policy replay: nothing to replay: no decision events in {events}"
        " (1 entries were not decision events)\n"
    )
