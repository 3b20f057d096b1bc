"""`d` while the MQTT broker (the access source) is down: the list looked as live as ever,
its newest row minutes old and nothing saying so. Its top line now says since when the
source is down and how old the newest denial is, and keeps counting."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import aiomqtt
import pytest
from textual.widgets import Static

from backends.models import AccessSnapshot, HealthState, SourceHealth
from tests.access.broker import Broker
from tests.access.events import opa_event
from tests.conftest import T0
from tests.helpers import local_app, wait_for
from tui.panes.keyed_table import KeyedTable
from tui.screens.denials import DenialsScreen, source_note

TOPIC = "down/decisions"


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    """A broker of this test's own: it is stopped mid-test."""
    b = Broker(tmp_path).start()
    try:
        yield b
    finally:
        b.stop()


def newest_age_s(line: str) -> int:
    """The newest denial's age the line shows ("newest denial 12s old"), -1 without."""
    m = re.search(r"newest denial (\d+)s old", line)
    return int(m.group(1)) if m else -1


def top_line(screen: DenialsScreen) -> str:
    line = screen.query_one("#denials-source", Static)
    return str(line.render()) if line.display else ""


async def test_d_says_the_source_is_down_and_how_old_the_newest_denial_is(
    own_broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHFLOOR_PANES__ACCESS", "mqtt")
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__MQTT__PORT", str(own_broker.port))
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__MQTT__TOPIC", TOPIC)
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        src = app.sources["access"]
        await wait_for(pilot, lambda: bool(getattr(src, "connected", False)), what="subscribed")
        async with aiomqtt.Client("127.0.0.1", own_broker.port) as pub:
            for _ in range(3):
                event = opa_event(
                    service="docs", tenant="acme", request_tenant="globex", allowed=False
                )
                await pub.publish(TOPIC, json.dumps(event).encode(), qos=1)

        def access() -> AccessSnapshot | None:
            snap = app.snapshots["access"]
            return snap if isinstance(snap, AccessSnapshot) else None

        await wait_for(pilot, lambda: len(getattr(access(), "recent_denied", ())) == 3, what="3")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DenialsScreen), what="denials")
        screen = app.screen
        assert isinstance(screen, DenialsScreen)
        await wait_for(pilot, lambda: screen.query_one(KeyedTable).row_count == 3, what="rows")
        assert top_line(screen) == ""  # the source answers: nothing to say

        await asyncio.to_thread(own_broker.stop)
        await wait_for(
            pilot,
            lambda: getattr(access(), "health", SourceHealth()).state is HealthState.ERROR,
            what="the access source down",
        )
        down = access()
        assert down is not None and down.health.last_ok_at is not None
        since = f"{down.health.last_ok_at:%H:%M:%S}Z"
        await wait_for(pilot, lambda: "source down" in top_line(screen), what="the top line")
        line = top_line(screen)
        assert line.startswith(f"✖ source down since {since} · newest denial "), line
        assert "connection refused" in line or "(127.0.0.1:" in line, line  # why
        age = newest_age_s(line)
        assert age >= 0, line
        await wait_for(  # it keeps counting while the screen is open
            pilot,
            lambda: newest_age_s(top_line(screen)) > age,
            within=4,
            what="the age to grow",
        )
        assert screen.query_one(KeyedTable).row_count == 3  # the last rows are kept


def test_the_top_line_for_a_source_that_never_answered_or_is_stale() -> None:
    never = SourceHealth(state=HealthState.ERROR, last_error="connection refused (h:1883)")
    assert str(source_note(never, None, T0)) == (
        "✖ source down: it has not answered yet · connection refused (h:1883)"
    )
    stale = SourceHealth(state=HealthState.OK, last_ok_at=T0 - timedelta(seconds=72))
    assert str(source_note(stale, None, T0)) == "◐ no news from the source since 08:58:48Z"
    ok = SourceHealth(state=HealthState.OK, last_ok_at=T0)
    assert str(source_note(ok, None, T0)) == ""
    assert str(source_note(SourceHealth(), None, T0)) == "○ waiting for the source"
    assert str(source_note(None, None, T0)) == ""  # not told: nothing said
