"""Two dashboards on one data dir: bob acknowledges the release train failure while alice
watches it too. Alice's dashboard read the acks from the audit trail only at its start:
it showed the alert unacknowledged until she restarted, and she acked it a second time.
Now her grants poll, which reads only the trail's records appended since its last poll,
brings bob's ack in: shown acknowledged by bob within a poll, and her timeline says so."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot

from backends.clock import FrozenClock
from backends.timeline import ack_key
from tests.conftest import T0
from tests.helpers import SIZE, wait_for
from tests.test_alert_acks import TRAIN, ack_in_the_list, app_as, train_alert
from tui.app import WatchfloorApp

BOB_ACKS = T0 + timedelta(seconds=30)


def ack_events(app: WatchfloorApp) -> list[tuple[str, str]]:
    """The timeline's events about the train's ack, as shown (newest first)."""
    shown = train_alert(app)
    assert shown is not None
    key = ack_key(TRAIN, shown.raised_at.isoformat())
    return [(f"{e.at:%H:%M:%S}", e.text) for e in app.timeline.newest_first() if e.key == key]


def history_read(app: WatchfloorApp) -> bool:
    return app.timeline.history_state == "read"


async def started(app: WatchfloorApp, pilot: Pilot[None]) -> None:
    """The failed cut shown, and the audit history read."""
    await wait_for(pilot, lambda: train_alert(app) is not None, what="the failed cut")
    await wait_for(pilot, lambda: history_read(app), what="the audit history")


async def test_alice_sees_bobs_ack_within_a_poll(frozen_clock: FrozenClock, tmp_path: Path) -> None:
    alice = app_as("alice", frozen_clock, tmp_path)
    bob = app_as("bob", frozen_clock, tmp_path)
    async with alice.run_test(size=SIZE) as at_alice, bob.run_test(size=SIZE) as at_bob:
        for app, pilot in ((alice, at_alice), (bob, at_bob)):
            await started(app, pilot)
        frozen_clock.advance(30)
        await ack_in_the_list(at_bob, bob, TRAIN)

        acked = lambda: (a := train_alert(alice)) is not None and a.acknowledged  # noqa: E731
        await wait_for(at_alice, acked, 5, what="bob's ack on alice's dashboard")
        alert = train_alert(alice)
        assert alert is not None and (alert.acked_by, alert.acked_at) == ("bob", BOB_ACKS)
        assert "WARN ✓ack  release train failure" in str(alice.alert_strip.render())
        said = (
            # bob's dashboard ran as the tests' Unix user (tests/conftest.py)
            "bob (os user dave) acknowledged release train failure since 08:59:21Z:"
            " v2026.03.16-m4 failed at 'verify provenance'"
        )
        assert ack_events(alice) == [("09:00:30", said)]

        await at_bob.pause(2.5)  # a poll of bob's own: his ack is not said twice
        (own,) = ack_events(bob)
        assert own[1].startswith("acknowledged release train failure (")
        assert own[1].endswith(") by bob")
        assert ack_events(alice) == [("09:00:30", said)]


async def test_the_grants_poll_brings_the_acks_appended_since_its_last_poll(
    frozen_clock: FrozenClock,
) -> None:
    """An ack's request read by one poll and its outcome by the next; a refused one is no
    ack; one made longer ago than the poll reports (ENDED_WINDOW) is let go."""
    from backends.local.grants import ENDED_WINDOW
    from tests.helpers import local_sources

    src = local_sources(frozen_clock)
    audit, grants = src.ctx.audit, src["grants"]
    since = "2026-03-16T08:59:21.847000+00:00"
    details = {"kind": "release train failure", "since": since, "alert": "release train ..."}
    try:
        assert (await grants.snapshot()).acks == ()
        await audit.append("bob", "alert-ack", TRAIN, "request", record_id="r1", details=details)
        await audit.append("eve", "alert-ack", "access", "request", record_id="r2", details=details)
        assert (await grants.snapshot()).acks == ()  # no outcome yet
        frozen_clock.advance(1)
        await audit.append("bob", "alert-ack", TRAIN, "outcome", record_id="r1", outcome="applied")
        await audit.append(
            "eve", "alert-ack", "access", "outcome", record_id="r2", outcome="failed"
        )
        (ack,) = (await grants.snapshot()).acks
        assert (ack.key, ack.since.isoformat(), ack.actor, ack.at) == (TRAIN, since, "bob", T0)
        assert (ack.who, ack.alert) == ("bob (os user dave)", "release train ...")
        frozen_clock.advance(ENDED_WINDOW.total_seconds())
        assert (await grants.snapshot()).acks == ()
    finally:
        await src.aclose()
