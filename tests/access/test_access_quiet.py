"""The Access pane on a real Mosquitto when nothing it can count arrives.

Before: a topic nobody publishes to (a typo, a dead publisher) and a `path` filter that
matches none of the events (`"path": "abac/allow"` with `path = "abac/decision"`) both
read `deny 0.0% of 0 decisions in 60s · baseline 0.0%` under `● ok · mqtt`: a healthy 0 %.
The events of another path were counted (`MqttAccess.skipped`) and shown nowhere. Now the
source is NO-DATA and says since when nothing came on which topic, the pane takes the
Latency pane's no-data look, the header does not count it down (the Latency pane's no
data is not), and the ignored events are named, with their path, in the pane and the
snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import aiomqtt
import pytest
from rich.text import Text
from textual.pilot import Pilot

from backends.clock import FrozenClock
from backends.models import AccessSnapshot, HealthState
from tests.access.broker import Broker
from tests.access.events import opa_event
from tests.helpers import local_app, wait_for
from tui.app import WatchfloorApp


def use_mqtt(monkeypatch: pytest.MonkeyPatch, broker: Broker, topic: str, **more: str) -> None:
    for name, value in {
        "PANES__ACCESS": "mqtt",
        "BACKENDS__MQTT__PORT": str(broker.port),
        "BACKENDS__MQTT__TOPIC": topic,
        **more,
    }.items():
        monkeypatch.setenv(f"WATCHFLOOR_{name}", value)


async def publish(broker: Broker, topic: str, events: list[dict[str, Any]]) -> None:
    async with aiomqtt.Client("127.0.0.1", broker.port) as pub:
        for e in events:
            await pub.publish(topic, json.dumps(e).encode(), qos=1)


def access(app: WatchfloorApp) -> AccessSnapshot:
    snap = app.snapshots["access"]
    assert isinstance(snap, AccessSnapshot)
    return snap


def shown(app: WatchfloorApp, widget: str) -> str:
    """What a line of the access pane shows, if it is on screen ("" when hidden)."""
    w = app.pane("access").query_one(widget)
    return str(w.render()) if w.display and w.size.height else ""


async def until_shown(pilot: Pilot[None], app: WatchfloorApp, widget: str, words: str) -> None:
    await wait_for(pilot, lambda: words in shown(app, widget), what=f"{words!r} in {widget}")


async def test_events_of_another_path_are_shown_with_their_path(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_mqtt(monkeypatch, broker, "quiet/paths", BACKENDS__MQTT__PATH="abac/decision")
    app = local_app()
    async with app.run_test(size=(120, 36)) as pilot:
        src: Any = app.sources["access"]
        assert type(src).__name__ == "MqttAccessProcess"  # through the child, as by default
        await wait_for(pilot, lambda: src.connected, what="subscribed")
        await publish(
            broker,
            "quiet/paths",
            [opa_event(service="gateway", tenant="acme", path="abac/allow") for _ in range(20)],
        )
        await wait_for(pilot, lambda: access(app).other_path == 20, what="20 of another path")
        snap = access(app)
        assert snap.other_paths == ("abac/allow",) and snap.total == 0
        assert snap.health.state is HealthState.NO_DATA
        assert (snap.health.last_error or "").startswith(
            "no decisions of abac/decision received on quiet/paths since "
        )
        note = "20 events of another path (abac/allow) ignored"
        await until_shown(pilot, app, "#access-summary", note)
        assert "no data: no decisions of abac/decision" in shown(app, "#access-empty")
        assert "deny 0.0%" not in shown(app, "#access-summary")


async def test_a_quiet_topic_is_no_data_not_a_healthy_zero(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_mqtt(monkeypatch, broker, "quiet/decisions", BACKENDS__MQTT__WORKER="inline")
    t0 = datetime.now(UTC).replace(microsecond=500_000)
    clock = FrozenClock(t0)
    app = local_app(clock)
    async with app.run_test(size=(120, 36)) as pilot:
        src: Any = app.sources["access"]
        await wait_for(pilot, lambda: src.connected, what="subscribed")
        pane = app.pane("access")
        # subscribed, nothing published: no data, since it began listening
        since = f"since {t0:%H:%M:%S}Z"
        await until_shown(pilot, app, "#access-empty", "no data: no decisions received on")
        assert f"quiet/decisions {since}" in shown(app, "#access-empty")
        assert pane.has_class("-no-data") and not pane.table().display
        assert "deny 0.0%" not in shown(app, "#access-summary")
        assert Text.from_markup(str(pane.border_subtitle)).plain == "○ no data · mqtt"
        assert "sources down" not in app.sub_title  # as the Latency pane's no data
        assert app.sub_title == "env local · simulated: grants, release, latency, faults"

        # decisions come: a rate, ok
        await publish(
            broker,
            "quiet/decisions",
            [opa_event(service="gateway", tenant="acme", allowed=i % 4 != 0) for i in range(8)],
        )
        await wait_for(pilot, lambda: access(app).total == 8, what="8 decisions counted")
        await until_shown(pilot, app, "#access-summary", "deny 25.0% of 8 decisions in 60s")
        assert pane.has_class("-ok") and not pane.has_class("-empty") and pane.table().display
        last = clock.now()

        # the publisher dies: once the window has nothing, no data since the last one
        clock.advance(61)
        await wait_for(pilot, lambda: access(app).total == 0, what="the window drained")
        await until_shown(pilot, app, "#access-empty", f"since {last:%H:%M:%S}Z")
        assert pane.has_class("-no-data")
        # the clock jumped 61 s: another source's last answer reads old until its next poll
        # (on a loaded machine the header can say so for a moment); the quiet topic is not down
        await wait_for(pilot, lambda: "sources down" not in app.sub_title, 5, what="no source down")
