"""The dashboard with its access pane on the mqtt backend, fed through a real Mosquitto."""

from __future__ import annotations

import json
from typing import Any

import aiomqtt
import pytest

from backends.models import AccessSnapshot
from tests.access.broker import Broker
from tests.access.events import opa_event
from tests.helpers import SIZE, local_app, wait_for
from tui.panes.keyed_table import KeyedTable
from tui.screens.denials import DenialsScreen


async def test_live_decisions_fill_the_pane_and_the_drill_down(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHFLOOR_PANES__ACCESS", "mqtt")
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__MQTT__PORT", str(broker.port))
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__MQTT__TOPIC", "dash/decisions")
    events = [
        opa_event(service="docs-api", tenant="acme", request_tenant="globex", allowed=False)
        for _ in range(30)
    ] + [opa_event(service="gateway", tenant="acme") for _ in range(90)]
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        src: Any = app.sources["access"]
        assert type(src).__name__ == "MqttAccessProcess"  # the default: ingest in a child
        await wait_for(pilot, lambda: src.connected, what="subscribed")
        async with aiomqtt.Client("127.0.0.1", broker.port) as pub:
            for e in events:
                await pub.publish("dash/decisions", json.dumps(e).encode(), qos=1)

        def shown() -> bool:
            snap = app.snapshots["access"]
            return isinstance(snap, AccessSnapshot) and snap.total == len(events)

        await wait_for(pilot, shown, what="every decision counted")
        await pilot.pause(1.2)  # the next once-a-second paint
        table = app.pane("access").table()
        keys = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert keys[0] == "service=docs-api"  # 100 % denied: the worst key first
        assert "25.0%" in str(app.pane("access").query_one("#access-summary").render())
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DenialsScreen), what="denials")
        dt = app.screen.query_one(KeyedTable)
        await wait_for(pilot, lambda: dt.row_count == 30, what="30 denials listed")
        assert {dt.get_row_at(i)[2] for i in range(dt.row_count)} == {"docs-api"}
        recent = await src.recent_decisions(1000)  # what `p` replays, from the child
        assert [d.decision_id for d in recent] == [e["decision_id"] for e in events]


def residency(tenant: str, region: str) -> dict[str, Any]:
    """A data_residency denial as OPA logs abac/decision: the rule and its detail."""
    e = opa_event(
        service="billing", tenant=tenant, data_class="confidential", region=region, allowed=False
    )
    e["path"] = "abac/decision"
    why = f"data_residency: {tenant} confidential data is not homed in {region}"
    e["result"] = {"allow": False, "reason": why}
    return e


async def test_denials_say_the_logged_rule_or_that_none_was_logged(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bare `result: false` names no rule: it was shown a guess from the attributes
    ("restricted data in prod", which the policy allows) as if the policy had said it.
    Top denials group by rule, not by the whole reason (each tenant and region its own
    line before), over the window the header counts."""
    monkeypatch.setenv("WATCHFLOOR_PANES__ACCESS", "mqtt")
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__MQTT__PORT", str(broker.port))
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__MQTT__TOPIC", "dash/reasons")
    bare = [
        opa_event(
            service="docs-api",
            tenant="umbrella",
            data_class="restricted",
            region="us-east-1",
            environment="prod",
            allowed=False,
        )
        for _ in range(5)
    ]
    reasoned = [residency(t, r) for t, r in [("acme", "ap-south-1"), ("globex", "eu-west-1")] * 2]
    events = bare + reasoned + [opa_event(service="gateway", tenant="acme") for _ in range(20)]
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        src: Any = app.sources["access"]
        await wait_for(pilot, lambda: src.connected, what="subscribed")
        async with aiomqtt.Client("127.0.0.1", broker.port) as pub:
            for e in events:
                await pub.publish("dash/reasons", json.dumps(e).encode(), qos=1)

        def shown() -> bool:
            snap = app.snapshots["access"]
            return isinstance(snap, AccessSnapshot) and snap.total == len(events)

        await wait_for(pilot, shown, what="every decision counted")
        await pilot.pause(1.2)  # the next once-a-second paint
        top = str(app.pane("access").query_one("#access-top").render())
        assert top.startswith("top denials in 60s: "), top  # the window the header counts
        assert "5x docs-api: reason not logged" in top, top
        assert "4x billing: data_residency" in top, top
        assert "restricted data in prod" not in top
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DenialsScreen), what="denials")
        dt = app.screen.query_one(KeyedTable)
        await wait_for(pilot, lambda: dt.row_count == 9, what="9 denials listed")
        why = {dt.get_row_at(i)[2]: str(dt.get_row_at(i)[1]) for i in range(dt.row_count)}
        assert why == {"docs-api": "reason not logged", "billing": "data_residency"}
        details = {str(dt.get_row_at(i)[-1]) for i in range(dt.row_count)}
        assert "data_residency: acme confidential data is not homed in ap-south-1" in details
