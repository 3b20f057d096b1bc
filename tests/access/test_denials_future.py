"""Decisions stamped in the future (a publisher's clock set wrong: `timestamp:
2030-01-01T00:00:00Z`), and denials not of today.

Before: five such denials were counted in the current window (`service=billing 100.0%!
5 5`), and in `d` their rows read `00:00:00Z` under a header `04:21:05Z to 04:21:21Z`.
Now a decision stamped more than 30 s ahead of our clock is not counted: the summary
says how many there were, as it says the bad messages; and a time not of today says its
date.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import aiomqtt
import pytest

from backends.clock import FrozenClock
from backends.models import AccessSnapshot, Attrs, Decision, SourceHealth
from tests.access.broker import Broker
from tests.access.events import opa_event
from tests.access.test_access_pilot import open_denials
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.panes.keyed_table import KeyedTable
from tui.screens.denials import DenialsScreen

FUTURE = "2030-01-01T00:00:00Z"


def summary(app: WatchfloorApp) -> str:
    return str(app.pane("access").query_one("#access-summary").render())


async def test_future_dated_decisions_are_not_counted_but_said(
    broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHFLOOR_PANES__ACCESS", "mqtt")
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__MQTT__PORT", str(broker.port))
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__MQTT__TOPIC", "dash/future")
    future = []
    for _ in range(5):
        e = opa_event(service="billing", tenant="acme", request_tenant="globex", allowed=False)
        e["timestamp"] = FUTURE
        future.append(e)
    now = [
        opa_event(service="docs-api", tenant="acme", request_tenant="globex", allowed=False)
        for _ in range(3)
    ] + [opa_event(service="gateway", tenant="acme") for _ in range(9)]
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        src: Any = app.sources["access"]
        await wait_for(pilot, lambda: src.connected, what="subscribed")
        async with aiomqtt.Client("127.0.0.1", broker.port) as pub:
            for e in [*future, *now]:  # in order: the future ones are in by the 12th
                await pub.publish("dash/future", json.dumps(e).encode(), qos=1)

        def snap() -> AccessSnapshot:
            s = app.snapshots["access"]
            assert isinstance(s, AccessSnapshot)
            return s

        await wait_for(pilot, lambda: snap().total >= len(now), what="every decision")
        assert (snap().total, snap().denied) == (12, 3)  # not the five billing ones
        assert snap().skewed == 5
        await wait_for(pilot, lambda: "5 future-dated msgs" in summary(app), what="said")
        table = app.pane("access").table()
        keys = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert "service=billing" not in keys and "service=docs-api" in keys, keys

        screen, dt = await open_denials(app, pilot)
        await wait_for(pilot, lambda: dt.row_count == 3, what="the three denials of now")
        rows = [str(dt.get_row_at(i)[0]) for i in range(dt.row_count)]
        assert not [r for r in rows if "2030" in r or r.startswith("00:00:00Z")], rows
        count = str(screen.query_one("#denials-count").render())
        assert "2030" not in count and "00:00:00Z" not in count, count


def denial(at: datetime, did: str) -> Decision:
    attrs = Attrs(
        service="docs-api",
        tenant="acme",
        data_class="public",
        region="eu-west-1",
        environment="stage",
    )
    return Decision(
        decision_id=did,
        timestamp=at,
        path="abac/allow",
        attrs=attrs,
        request_tenant="globex",
        request_data_class="public",
        allowed=False,
    )


async def test_a_denial_not_of_today_says_its_date() -> None:
    """Just after midnight, the window's denials include yesterday's last seconds."""
    t = datetime(2026, 3, 17, 0, 0, 20, tzinfo=UTC)
    app = local_app(FrozenClock(t))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        for worker in app.workers:
            if worker.name == "source:access":
                worker.cancel()
        last = app.snapshots["access"]
        assert isinstance(last, AccessSnapshot)
        ds = (
            denial(t - timedelta(seconds=5), "new0000000001"),
            denial(t - timedelta(seconds=30), "old0000000001"),
        )
        app.deliver("access", last.model_copy(update={"recent_denied": ds, "denied": 2}))
        await pilot.pause()
        screen, dt = await open_denials(app, pilot)
        assert isinstance(screen, DenialsScreen)
        await wait_for(pilot, lambda: dt.row_count == 2, what="two denials")
        rows = sorted(str(dt.get_row_at(i)[0]) for i in range(dt.row_count))
        assert rows == ["00:00:15Z new000000000", "2026-03-16 23:59:50Z old000000000"], rows
        count = str(screen.query_one("#denials-count").render())
        assert "2026-03-16 23:59:50Z to 00:00:15Z" in count, count
        assert isinstance(dt, KeyedTable)


def test_a_small_skew_is_counted_now_a_large_one_not_at_all() -> None:
    from backends.access_events import event_from
    from backends.access_window import FUTURE_SKEW_S, DenyWindow

    now = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
    win = DenyWindow()
    for ahead in (10.0, FUTURE_SKEW_S + 1, 3600.0):
        e = opa_event(service="docs-api", tenant="acme", allowed=False)
        e["timestamp"] = (now + timedelta(seconds=ahead)).isoformat()
        win.add(event_from(e), now.timestamp())
    snap = win.snapshot(now, SourceHealth(), source="test")
    assert (snap.total, snap.denied, snap.skewed) == (1, 1, 2)
    assert len(win.recent) == 1  # nor replayed by the dry-run
