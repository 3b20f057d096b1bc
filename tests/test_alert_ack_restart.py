"""A restart during an outage alice acknowledged (a source down has no time of its own in
its data): bob's dashboard, started while it still goes on, showed it unacknowledged,
"since start", and bob acked it again. Now it shows alice's ack, from the outage's start;
carol's, started after nobody watched it for longer than EPISODE_GAP, does not (it may
have cleared and come back meanwhile). See tests/test_alert_ack_episodes.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.alert_episodes import FILE_NAME
from backends.clock import FrozenClock
from backends.models import Alert
from tests.conftest import T0
from tests.dead_servers import refusing
from tests.helpers import SIZE, wait_for
from tests.test_alert_acks import ack_in_the_list, app_as
from tui.app import WatchfloorApp

DOWN = "source:latency"


def latency_down(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("WATCHFLOOR_PANES__LATENCY", "prometheus")
    monkeypatch.setenv("WATCHFLOOR_BACKENDS__PROMETHEUS__URL", f"http://127.0.0.1:{port}")


def down_alert(app: WatchfloorApp) -> Alert | None:
    return next((a for a in app.alert_strip.alerts if a.key == DOWN), None)


async def test_bob_restarts_during_the_outage_alice_acked_and_sees_her_ack(
    frozen_clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with refusing() as port:
        latency_down(monkeypatch, port)
        alice = app_as("alice", frozen_clock, tmp_path)
        async with alice.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: down_alert(alice) is not None, what="source down")
            await ack_in_the_list(pilot, alice, DOWN)

        frozen_clock.advance(30)  # bob restarts the dashboard; Prometheus is still down
        bob = app_as("bob", frozen_clock, tmp_path)
        async with bob.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: down_alert(bob) is not None, what="source down")
            await wait_for(
                pilot,
                lambda: (a := down_alert(bob)) is not None and a.acknowledged,
                5,
                what="alice's ack restored",
            )
            shown = down_alert(bob)
            assert shown is not None and (shown.acked_by, shown.raised_at) == ("alice", T0)
            assert "09:00:00Z  WARN ✓ack  source down: latency" in str(bob.alert_strip.render())
            (raised,) = [e for e in bob.timeline.events if e.text.startswith("raised source")]
            assert raised.text.endswith("(seen since 09:00:00Z, before a restart)"), raised

        frozen_clock.advance(3 * 60)  # nobody watched it for longer than EPISODE_GAP
        carol = app_as("carol", frozen_clock, tmp_path)
        async with carol.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: down_alert(carol) is not None, what="source down")
            read = lambda: carol.timeline.history_state == "read"  # noqa: E731
            await wait_for(pilot, read, what="the audit history read")
            await pilot.pause(1.2)
            shown = down_alert(carol)
            assert shown is not None and not shown.acknowledged
            assert shown.raised_from == "start"


async def test_a_read_only_dashboard_keeps_no_episodes(
    frozen_clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer writes nothing to the data dir: not even the alerts going on."""
    with refusing() as port:
        latency_down(monkeypatch, port)
        viewer = app_as("viewer", frozen_clock, tmp_path)
        viewer.forced_read_only = True  # --read-only
        async with viewer.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: down_alert(viewer) is not None, what="source down")
            frozen_clock.advance(20)  # past SAVE_EVERY: a dashboard that keeps them would
            await pilot.pause(1.2)
        assert not episodes_kept(viewer)


def episodes_kept(app: WatchfloorApp) -> bool:
    data_dir: Path = app.sources.ctx.data_dir
    return (data_dir / FILE_NAME).exists()
