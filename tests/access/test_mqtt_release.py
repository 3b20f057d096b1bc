"""Stopping an MQTT client that is still connecting (a broker that took the TCP connection
and never answered CONNECT: hung, or swamped) left its socket open and aiomqtt's
once-a-second task running (aiomqtt #377). paho closed the socket in `__del__` at some later
garbage collection, often after the event loop had closed: `Exception ignored in
Client.__del__ ... RuntimeError: Event loop is closed`, which failed an unrelated test in
CI. Now the socket is closed when its user is done with it, on every path out.

The broker here is a listener that takes the connection and never answers; the garbage
collector is off while each case runs, so only the code under test can close the socket."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from backends.lab.mqtt import MqttDecisionPublisher
from backends.local.sim import Simulator
from backends.mqtt.options import MqttOptions
from backends.mqtt.source import MqttAccess
from backends.registry import BackendContext
from backends.relay import MqttPublisher
from tests.access.test_mqtt_source import until


class Silent:
    """Takes TCP connections, reads them, answers nothing; sees when they are closed."""

    def __init__(self) -> None:
        self.readers: list[asyncio.StreamReader] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.port = 0

    async def _take(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.readers.append(reader)
        self.writers.append(writer)

    async def closed_by_peer(self, within: float = 3.0) -> bytes:
        """What the client sent, once it has closed the connection (else a timeout)."""
        return await asyncio.wait_for(self.readers[0].read(), within)


@pytest.fixture
async def silent() -> AsyncIterator[Silent]:
    s = Silent()
    server = await asyncio.start_server(s._take, "127.0.0.1", 0)
    s.port = server.sockets[0].getsockname()[1]
    gc.collect()
    gc.disable()
    try:
        yield s
    finally:
        gc.enable()
        for w in s.writers:
            w.close()
        server.close()
        await server.wait_closed()


def misc_tasks() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if "_misc_loop" in repr(t.get_coro())]


def mqtt_source(port: int, tmp: Path) -> Callable[[], Awaitable[None]]:
    src = MqttAccess(
        MqttOptions(port=port, topic="release/decisions"),
        BackendContext(data_dir=tmp, interval_s=0.1),
    )
    src.start()
    return src.aclose


def lab_publisher(port: int, tmp: Path) -> Callable[[], Awaitable[None]]:
    pub = MqttDecisionPublisher("127.0.0.1", port, topic="release/lab")
    task = asyncio.get_running_loop().create_task(pub.start(Simulator(seed=1)))

    async def stop() -> None:
        await task
        await pub.aclose()

    return stop


def relay_publisher(port: int, tmp: Path) -> Callable[[], Awaitable[None]]:
    pub = MqttPublisher("127.0.0.1", port, "release/relay")
    sending = asyncio.get_running_loop().create_task(pub.publish_all([b"{}"]))

    async def stop() -> None:  # the relay's request is given up, then the relay stops
        sending.cancel()
        await asyncio.gather(sending, return_exceptions=True)
        await pub.aclose()

    return stop


@pytest.mark.parametrize("start", [mqtt_source, lab_publisher, relay_publisher])
async def test_stopping_while_connecting_closes_the_socket(
    silent: Silent, tmp_path: Path, start: Callable[[int, Path], Callable[[], Awaitable[None]]]
) -> None:
    stop = start(silent.port, tmp_path)
    await until(lambda: bool(silent.readers), what="the TCP connection")
    await asyncio.sleep(0.3)  # CONNECT sent; waiting for a CONNACK that never comes
    assert misc_tasks()  # aiomqtt's task for the connection runs
    await stop()
    sent = await silent.closed_by_peer()
    assert sent[:1] == b"\x10"  # it was CONNECT, and then the client closed
    await asyncio.sleep(0)
    assert not misc_tasks()
