"""A broker that hangs (kill -STOP mosquitto): the pane said `● ok · mqtt` until paho's
keepalive dropped the link, then counted the data's age from then, ~35 s short; and a
source still connecting to it said `no-data` with no error. Now it is down once a
keepalive ping goes unanswered, with its data as old as the last message received, and
that age stays when the link drops; connecting with no answer is said as down."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backends.models import AccessSnapshot, HealthState
from backends.mqtt.source import MqttAccess
from tests.access.broker import Broker
from tests.access.events import opa_event
from tests.access.test_mqtt_source import publish, source

KEEPALIVE_S = 5


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    b = Broker(tmp_path).start()
    try:
        yield b
    finally:
        if b.proc is not None:
            os.kill(b.proc.pid, signal.SIGCONT)
        b.stop()


def pause(b: Broker, stop: bool) -> None:
    assert b.proc is not None
    os.kill(b.proc.pid, signal.SIGSTOP if stop else signal.SIGCONT)


async def until(
    src: MqttAccess, ok: Callable[[AccessSnapshot], object], within: float
) -> AccessSnapshot:
    for _ in range(int(within / 0.1)):
        snap = src.snapshot()
        if ok(snap):
            return snap
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out; last {src.snapshot().health}")


async def test_a_hung_broker_is_down_with_the_age_of_its_last_message(
    own_broker: Broker, tmp_path: Path
) -> None:
    src = source(own_broker, tmp_path, topic="hang/decisions", keepalive_s=KEEPALIVE_S)
    src.start()
    try:
        await until(src, lambda s: src.connected, within=10)
        event = opa_event(service="gateway", tenant="acme", request_tenant="globex", allowed=False)
        payload = json.dumps(event).encode()
        before = src.clock.now()
        await publish(own_broker, "hang/decisions", [payload])
        counted = (await until(src, lambda s: s.total == 1, within=10)).observed_at
        pause(own_broker, stop=True)
        # down before paho's keepalive drops the link (a ping unanswered for 3 s)
        hung = await until(src, lambda s: s.health.state is HealthState.ERROR, within=20)
        assert src.connected  # paho has not noticed yet
        last = hung.health.last_ok_at
        assert last is not None and before <= last <= counted  # its last message
        assert f"has not answered since {last:%H:%M:%S}Z" in (hung.health.last_error or "")
        assert hung.total == 1  # the counts as they were at its last message
        # the link drops: the age still counts from the last message, not from the drop
        dropped = await until(src, lambda s: not src.connected and src.last_error, within=20)
        assert dropped.health.state is HealthState.ERROR
        assert dropped.health.last_ok_at == last
        pause(own_broker, stop=False)
    finally:
        await src.aclose()


async def test_connecting_to_a_hung_broker_is_down_not_no_data(
    own_broker: Broker, tmp_path: Path
) -> None:
    pause(own_broker, stop=True)
    src = source(own_broker, tmp_path, topic="hang/decisions")
    src.start()
    try:
        snap = await until(src, lambda s: s.health.state is not HealthState.NO_DATA, within=9)
        assert snap.health.state is HealthState.ERROR
        assert "no answer from the broker" in (snap.health.last_error or "")
    finally:
        await src.aclose()
