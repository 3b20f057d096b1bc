"""Fault tests of the whole app (issue #8), MQTT side: the Access pane on the `mqtt`
backend (its default ingest in a child process) fed through a real Mosquitto, which is
stopped mid-stream and started again, with the app up throughout. The pane keeps its
counts with their age and the error, the alert strip says so, and ingestion resumes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from backends.models import AccessSnapshot
from tests.access.broker import MOSQUITTO, Broker
from tests.access.events import random_events
from tests.helpers import SIZE
from tests.test_app_faults import (
    REFRESH_S,
    assert_app_up,
    assert_in_time,
    health_class,
    others_carry_on,
    recovery,
    shown,
    shown_age_s,
    source_alert,
    strip_text,
    subtitle,
    until,
    use,
)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    if not Path(MOSQUITTO).exists():
        pytest.fail("mosquitto is not installed (see .ci/system-deps.sh)")
    b = Broker(tmp_path).start()
    try:
        yield b
    finally:
        b.stop()


def counts(snap: AccessSnapshot) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r.dimension, r.value): (r.total, r.denied) for r in snap.rows}


async def publish(broker: Broker, topic: str, events: list[dict[str, object]]) -> None:
    async with aiomqtt.Client("127.0.0.1", broker.port) as pub:
        for e in events:
            await pub.publish(topic, json.dumps(e).encode(), qos=1)


@pytest.mark.slow
async def test_mqtt_broker_restarted_mid_stream_with_the_app_up(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = "faults/decisions"
    app = use(
        monkeypatch,
        PANES__ACCESS="mqtt",
        BACKENDS__MQTT__PORT=str(broker.port),
        BACKENDS__MQTT__TOPIC=topic,
        BACKENDS__MQTT__QOS="1",
    )
    first = random_events(40, seed=8)
    second = random_events(25, seed=9)

    def total() -> int:
        snap = app.pane("access").snapshot
        return snap.total if isinstance(snap, AccessSnapshot) else -1

    async with app.run_test(size=SIZE) as pilot:
        src: Any = app.sources["access"]
        await until(pilot, lambda: src.connected, within=15, what="subscribed")
        await publish(broker, topic, first)
        await until(pilot, lambda: total() == len(first), within=10, what="the first events")
        assert health_class(app, "access") == "ok"
        good = shown(app, "access")
        assert isinstance(good, AccessSnapshot)

        await asyncio.to_thread(broker.stop)
        await until(
            pilot, lambda: health_class(app, "access") == "error", within=10, what="error state"
        )
        down = shown(app, "access")
        assert isinstance(down, AccessSnapshot)
        assert down.total == len(first)  # the counts are kept, not blanked
        assert counts(down) == counts(good)
        assert down.health.last_error and f"127.0.0.1:{broker.port}" in down.health.last_error
        text = subtitle(app, "access")
        assert text.startswith("✖ ") and f"(127.0.0.1:{broker.port})" in text, text
        assert "code:128" not in text  # paho's "Unspecified error" says nothing
        assert " · data " in text and text.endswith(" old · mqtt"), text
        assert shown_age_s(app, "access") is not None
        alert = source_alert(app, "access")
        assert alert is not None and "access (mqtt)" in alert.message
        assert "access (mqtt)" in strip_text(app)
        assert_app_up(app)
        await others_carry_on(pilot, app, "latency")

        await asyncio.to_thread(broker.start)
        data_s, shown_s = await recovery(pilot, app, "access", within=40)
        assert source_alert(app, "access") is None
        await publish(broker, topic, second)
        await until(
            pilot,
            lambda: total() == len(first) + len(second),
            within=10,
            what="ingestion after the restart",
        )
        assert subtitle(app, "access").startswith("● ok · mqtt")
        assert_app_up(app)
        assert_in_time("access", data_s, shown_s, REFRESH_S)
