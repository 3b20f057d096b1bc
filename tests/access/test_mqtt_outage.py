"""The Access pane through a broker outage, with a real Mosquitto stopped and started
again: while it is down the pane keeps its counts (table and top denials alike) and the
deny-spike alert stays; once it is back, the publishers' backlog is counted in the
seconds it happened in, not all in the current one.

Before: the 60 s window drained with the clock while nothing could arrive ("deny 0.0% of
0 decisions in 60s", an empty table, old top denials), the timeline said "cleared policy
deny spike" with the broker still down, and the backlog inflated the minute after."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import aiomqtt
import pytest
from textual.pilot import Pilot

from backends.clock import FrozenClock
from backends.models import AccessSnapshot, AlertKind, HealthState
from tests.access.broker import Broker
from tests.access.events import opa_event
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp

TOPIC = "outage/decisions"


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


def text(app: WatchfloorApp, widget: str) -> str:
    return str(app.pane("access").query_one(widget).render())


async def shown_at(pilot: Pilot[None], app: WatchfloorApp, clock: FrozenClock) -> None:
    """Until a snapshot taken at the clock's time is on the screen."""
    now = clock.now()
    await wait_for(pilot, lambda: access(app).observed_at == now, what=f"a snapshot at {now}")
    await pilot.pause(1.2)  # the next once-a-second paint


def spike_listed(app: WatchfloorApp) -> bool:
    return any(a.kind is AlertKind.DENY_SPIKE for a in app.alert_strip.alerts)


def cleared(app: WatchfloorApp) -> list[str]:
    return [e.text for e in app.timeline.events if e.text.startswith("cleared policy deny")]


async def test_the_pane_keeps_its_counts_and_its_alert_through_a_broker_outage(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "PANES__ACCESS": "mqtt",
        "BACKENDS__MQTT__PORT": str(broker.port),
        "BACKENDS__MQTT__TOPIC": TOPIC,
        "BACKENDS__MQTT__WORKER": "inline",  # the same MqttAccess runs in the child
        "BACKENDS__MQTT__RECONNECT_MIN_S": "0.05",
        "BACKENDS__MQTT__RECONNECT_MAX_S": "0.2",
    }.items():
        monkeypatch.setenv(f"WATCHFLOOR_{name}", value)
    t0 = datetime.now(UTC).replace(microsecond=500_000)  # mid-second
    clock = FrozenClock(t0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        src: Any = app.sources["access"]
        await wait_for(pilot, lambda: src.connected, what="subscribed")
        # a quiet 5 s (5 % denied) for a baseline, then a spike: docs-api denied
        await publish(broker, [decision(t0, i % 20 != 0) for i in range(100)])
        await wait_for(pilot, lambda: src.window.accepted == 100, what="the quiet second")
        clock.advance(5)
        spike_at = clock.now()
        await publish(
            broker,
            [decision(spike_at, False, "docs-api") for _ in range(40)]
            + [decision(spike_at, True) for _ in range(20)],
        )
        await wait_for(pilot, lambda: access(app).total == 160, what="the spike counted")
        await wait_for(pilot, lambda: spike_listed(app), what="the deny-spike alert")
        await pilot.pause(1.2)
        assert "28.1%! of 160 decisions in 60s" in text(app, "#access-summary")

        await asyncio.to_thread(broker.stop)
        await wait_for(pilot, lambda: not src.connected, what="the broker gone")
        for wait_s in (30, 60):  # 95 s after the last data: the window would be empty
            clock.advance(wait_s)
            await shown_at(pilot, app, clock)
            snap = access(app)
            assert snap.health.state is HealthState.ERROR
            assert "28.1%! of 160 decisions in 60s" in text(app, "#access-summary")
            assert app.pane("access").table().row_count > 0
            assert "40x docs-api: reason not logged" in text(app, "#access-top")
            assert spike_listed(app) and not cleared(app)

        # back, with what the publishers buffered meanwhile: two a second, 10 % denied,
        # from the spike to now (90 s); the first 30 s of it are older than the window
        await asyncio.to_thread(broker.start)
        await wait_for(pilot, lambda: src.connected, what="reconnected")
        now = clock.now()
        backlog = [
            decision(spike_at + timedelta(seconds=s, milliseconds=300 * j), j == 1 or s % 5 != 0)
            for s in range(1, 91)
            for j in range(2)
        ]
        await publish(broker, backlog)
        await wait_for(pilot, lambda: src.window.accepted == 160 + 180, what="the backlog")
        clock.advance(0.2)  # the same second: a snapshot after the backlog
        await shown_at(pilot, app, clock)
        assert clock.now() - now < timedelta(seconds=1)
        summary = text(app, "#access-summary")
        assert "of 120 decisions in 60s" in summary, summary  # not 180, nor 340
        assert "60 late" in summary
        assert access(app).denied == 12  # the backlog's denials in the window
        assert not spike_listed(app) and len(cleared(app)) == 1  # judged on fresh data
