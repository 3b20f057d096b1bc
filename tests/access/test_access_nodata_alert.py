"""A publisher that dies mid-spike, on a real Mosquitto (the broker stays up).

Before: once the spike's decisions left the 60 s window the source said no data, the
deny-spike alert cleared and the strip read "✓ no alerts": on a tired night, "recovered".
Now the spike stays, marked "(no data since ...)", beside a "source no data" alert for
the access source, until fresh decisions say the spike is over; then both clear."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import aiomqtt
import pytest
from textual.pilot import Pilot

from backends.clock import FrozenClock
from backends.models import AccessSnapshot, Alert, HealthState
from tests.access.broker import Broker
from tests.access.events import opa_event
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp

TOPIC = "nodata/decisions"
SPIKE = "policy deny spike"
NO_DATA = "source no data"


def decision(when: datetime, allowed: bool, service: str = "gateway") -> bytes:
    doc = opa_event(service=service, tenant="acme", request_tenant="globex", allowed=allowed)
    doc["timestamp"] = when.strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
    return json.dumps(doc).encode()


async def publish(broker: Broker, payloads: list[bytes]) -> None:
    async with aiomqtt.Client("127.0.0.1", broker.port) as pub:
        for p in payloads:
            await pub.publish(TOPIC, p, qos=1)


def access(app: WatchfloorApp) -> AccessSnapshot:
    snap = app.snapshots["access"]
    assert isinstance(snap, AccessSnapshot)
    return snap


def listed(app: WatchfloorApp, kind: str) -> Alert | None:
    return next((a for a in app.alert_strip.alerts if a.kind.value == kind), None)


async def shown_at(pilot: Pilot[None], app: WatchfloorApp, clock: FrozenClock) -> None:
    now = clock.now()
    await wait_for(pilot, lambda: access(app).observed_at == now, what=f"a snapshot at {now}")
    await pilot.pause(1.2)  # the next once-a-second paint


async def test_a_spike_whose_publisher_died_stays_marked_until_data_says_it_is_over(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "PANES__ACCESS": "mqtt",
        "BACKENDS__MQTT__PORT": str(broker.port),
        "BACKENDS__MQTT__TOPIC": TOPIC,
        "BACKENDS__MQTT__WORKER": "inline",
    }.items():
        monkeypatch.setenv(f"WATCHFLOOR_{name}", value)
    t0 = datetime.now(UTC).replace(microsecond=500_000)
    clock = FrozenClock(t0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        src: Any = app.sources["access"]
        await wait_for(pilot, lambda: src.connected, what="subscribed")
        # start-up: subscribed, quiet for a moment; no alert for that
        for _ in range(4):  # 20 s, a poll at a time (a jump of 20 s would be stale data)
            clock.advance(5)
            await shown_at(pilot, app, clock)
        assert access(app).health.state is HealthState.NO_DATA
        assert listed(app, NO_DATA) is None
        start = clock.now()
        await publish(broker, [decision(start, i % 20 != 0) for i in range(100)])
        await wait_for(pilot, lambda: src.window.accepted == 100, what="the quiet second")
        clock.advance(5)
        spike_at = clock.now()
        await publish(broker, [decision(spike_at, False, "docs-api") for _ in range(60)])
        await wait_for(pilot, lambda: access(app).total == 160, what="the spike counted")
        await wait_for(pilot, lambda: listed(app, SPIKE) is not None, what="spike")
        await pilot.pause(1.2)
        spike = listed(app, SPIKE)
        assert spike is not None

        # the publisher dies: nothing more comes, the window drains
        clock.advance(61)
        await shown_at(pilot, app, clock)
        assert access(app).total == 0 and access(app).health.state is HealthState.NO_DATA
        kept = listed(app, SPIKE)
        assert kept is not None, app.alert_strip.alerts  # the strip went green
        assert kept.message == f"(no data since {spike_at:%H:%M:%S}Z) {spike.message}"
        silent = listed(app, NO_DATA)
        assert silent is not None and silent.message.startswith("access (mqtt): no data for 1m")
        strip = str(app.alert_strip.render())
        assert "policy deny spike: (no data since" in strip, strip
        assert not [e for e in app.timeline.events if e.text.startswith("cleared policy deny")]

        # decisions again, 5 % denied: the spike is over, and the source has data
        now = clock.now()
        await publish(broker, [decision(now, i % 20 != 0) for i in range(100)])
        await wait_for(pilot, lambda: access(app).total == 100, what="fresh decisions")
        await wait_for(
            pilot,
            lambda: not {SPIKE, NO_DATA} & {a.kind.value for a in app.alert_strip.alerts},
            what="both alerts cleared",
        )
        cleared = [e.text for e in app.timeline.events if e.text.startswith("cleared policy")]
        assert len(cleared) == 1
