"""At 80 columns a kept alert's figures stay on the strip.

Before: `policy deny spike: (no data since 04:26:44Z) tenant=globex 4…`: the mark pushed
the deny rate off the line. Now a line too wide shortens the mark to `(as of ...)`, and
the worst key's rate is in view. On a real Mosquitto, the publisher dying mid-spike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from backends.clock import FrozenClock
from tests.access.broker import Broker
from tests.access.test_access_nodata_alert import (
    SPIKE,
    TOPIC,
    access,
    decision,
    listed,
    publish,
    shown_at,
)
from tests.helpers import local_app, wait_for


async def test_a_kept_spike_keeps_its_rate_in_view_at_80_columns(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "PANES__ACCESS": "mqtt",
        "BACKENDS__MQTT__PORT": str(broker.port),
        "BACKENDS__MQTT__TOPIC": TOPIC,
        "BACKENDS__MQTT__WORKER": "inline",
    }.items():
        monkeypatch.setenv(f"WATCHFLOOR_{name}", value)
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=500_000))
    app = local_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        src: Any = app.sources["access"]
        await wait_for(pilot, lambda: src.connected, what="subscribed")
        start = clock.now()  # a calm second for a baseline, then the spike
        await publish(broker, [decision(start, i % 20 != 0) for i in range(100)])
        await wait_for(pilot, lambda: src.window.accepted == 100, what="the calm second")
        clock.advance(5)
        spike_at = clock.now()
        await publish(broker, [decision(spike_at, False, "docs-api") for _ in range(60)])
        await wait_for(pilot, lambda: access(app).total == 160, what="the spike counted")
        await wait_for(pilot, lambda: listed(app, SPIKE) is not None, what="spike")
        spike = listed(app, SPIKE)
        assert spike is not None
        figures = " ".join(spike.message.split()[:2])  # "service=docs-api 100%"
        assert figures.endswith("%"), spike.message

        clock.advance(61)  # the publisher died: the window drained
        await shown_at(pilot, app, clock)
        kept = listed(app, SPIKE)
        assert kept is not None and kept.message.startswith("(no data since")
        strip = app.alert_strip
        line = next(ln for ln in str(strip.render()).split("\n") if SPIKE in ln)
        assert strip.size.width <= 80
        seen = line[: strip.size.width]  # what the terminal shows of it
        assert f"{SPIKE}: (as of {spike_at:%H:%M:%S}Z) {figures}" in seen, seen
