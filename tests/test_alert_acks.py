"""A handover on one data dir: alice acknowledges the release train failure and leaves; bob
starts his dashboard. He saw it back unacknowledged, raised at his own start time (as a new
failure in his shift), and neither his timeline nor his report said alice had acked it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot

from backends.alert_acks import Ack
from backends.alerts import AlertBook, derive
from backends.clock import FrozenClock
from backends.config import load
from backends.models import Alert, AlertKind, ReleaseRun, ReleaseSnapshot, ReleaseStage
from backends.models import StageStatus as S
from backends.report import game_day_report
from backends.timeline import Timeline
from backends.wiring import build_sources
from tests.conftest import T0
from tests.helpers import SIZE, wait_for
from tests.test_alerts import OK, access
from tui.app import WatchfloorApp
from tui.panes.keyed_table import KeyedTable
from tui.screens.alerts import AlertsScreen

TRAIN = "release:release-train-4"  # the local train's cut that failed at 08:59:21Z
FAILED_AT = T0 - timedelta(seconds=38.153)


def app_as(actor: str, clock: FrozenClock, tmp_path: Path) -> WatchfloorApp:
    cfg = tmp_path / f"{actor}.toml"
    cfg.write_text(f'[ui]\nactor = "{actor}"\n')
    app = WatchfloorApp(build_sources(load(cfg), clock=clock), clock=clock)
    app.screenshot_dir = tmp_path / actor
    app.screenshot_dir.mkdir()
    return app


def train_alert(app: WatchfloorApp) -> Alert | None:
    return next((a for a in app.alert_strip.alerts if a.key == TRAIN), None)


async def ack_in_the_list(pilot: Pilot[None], app: WatchfloorApp, key: str) -> None:
    """`A`, the cursor down to the alert with `key`, `a`, and wait until it is acked."""
    await pilot.press("A")
    await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="the list")
    table = app.screen.query_one(KeyedTable)
    await wait_for(pilot, lambda: key in list(table.rows), what=f"{key} listed")
    await pilot.press(*["down"] * list(table.rows).index(key), "a")
    await wait_for(
        pilot,
        lambda: any(a.key == key and a.acknowledged for a in app.alert_strip.alerts),
        what=f"{key} acknowledged",
    )
    await pilot.press("escape")


def report_of(app: WatchfloorApp) -> str:
    (path,) = app.screenshot_dir.glob("gameday-*.md")
    return path.read_text()


async def test_bob_sees_the_failure_alice_acked_as_acked_at_its_own_time(
    frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    alice = app_as("alice", frozen_clock, tmp_path)
    async with alice.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: train_alert(alice) is not None, what="the failed cut")
        await ack_in_the_list(pilot, alice, TRAIN)
        await pilot.press("x")
        await wait_for(pilot, lambda: any(alice.screenshot_dir.glob("*.md")), what="report")
    mine = report_of(alice).split("## Alerts at the time of the report", 1)[1]
    line = (
        "- 08:59:21Z **release train failure** (warning, acknowledged by alice at"
        " 09:00:00Z): v2026.03.16-m4 failed at 'verify provenance'"
    )
    assert line in mine  # it said neither that it was acked, nor by whom

    frozen_clock.advance(4 * 60)  # bob takes over at 09:04:00Z
    bob = app_as("bob", frozen_clock, tmp_path)
    async with bob.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: train_alert(bob) is not None, what="the failed cut")
        alert = train_alert(bob)
        assert alert is not None
        # when it failed, as the train says (it said 09:04:00Z, when bob started)
        assert (alert.raised_at, alert.raised_from) == (FAILED_AT, "data")
        await wait_for(
            pilot,
            lambda: (a := train_alert(bob)) is not None and a.acknowledged,
            5,
            what="alice's ack restored from the audit trail",
        )
        alert = train_alert(bob)
        assert alert is not None and (alert.acked_by, alert.acked_at) == ("alice", T0)
        strip = str(bob.alert_strip.render())
        assert "08:59:21Z  WARN ✓ack  release train failure: v2026.03.16-m4" in strip
        acked = (
            T0,
            # alice's dashboard ran as the tests' Unix user (tests/conftest.py)
            f"alice (os user dave) alert-ack {TRAIN} applied: release train failure since"
            " 08:59:21Z:"
            " v2026.03.16-m4 failed at 'verify provenance'",
        )
        # the strip may take the ack from the grants poll's first snapshot before the audit
        # history (read after the first paint) is in the timeline
        await wait_for(
            pilot,
            lambda: acked in [(e.at, e.text) for e in bob.timeline.newest_first()],
            5,
            what="alice's ack in the timeline",
        )
        events = [(e.at, e.text) for e in bob.timeline.newest_first()]
        raised = [at for at, text in events if text.startswith("raised release train failure")]
        assert raised == [FAILED_AT]  # not at 09:04:00Z, as a new failure in bob's shift
        await pilot.press("x")
        await wait_for(pilot, lambda: any(bob.screenshot_dir.glob("*.md")), what="report")
    report = report_of(bob)
    assert line in report.split("## Alerts at the time of the report", 1)[1]
    assert f"| 09:00:00Z | audit | alice (os user dave) alert-ack {TRAIN} applied: " in report


async def test_an_ack_without_an_audit_trail_is_refused_and_says_why(
    frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    app = app_as("alice", frozen_clock, tmp_path)
    app.sources.ctx.audit = None  # the audit backend failed to start
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.alert_strip.alerts), what="an alert")
        top = app.alert_strip.alerts[0]
        await pilot.press("a")
        said = f"{top.kind.value} is not acknowledged: alert-ack refused: no audit sink is"
        await wait_for(
            pilot,
            lambda: any(n.message.startswith(said) for n in app._notifications),
            what="the refusal",
        )
        assert not any(a.acknowledged for a in app.alert_strip.alerts)
        assert not any("acknowledged" in e.text for e in app.timeline.events)


def failed_cut(run_id: str, finished: timedelta) -> ReleaseSnapshot:
    end = T0 + finished
    stage = ReleaseStage(name="verify", status=S.FAILURE, started_at=end, finished_at=end)
    cut = ReleaseRun(
        id=run_id,
        version=f"v-{run_id}",
        status=S.FAILURE,
        started_at=T0 - timedelta(hours=1),
        finished_at=end,
        stages=(stage,),
    )
    return ReleaseSnapshot(observed_at=T0, health=OK, current=cut)


def test_a_restored_ack_is_for_the_same_alert_only() -> None:
    """Same key and same since; one that cleared and came back is a new alert."""
    book = AlertBook()
    alice = Ack("alice", T0)
    book.add_trail({("release:r1", T0 - timedelta(minutes=5)): alice})
    book.add_trail({("release:r2", T0): alice})  # r2 acked with another since

    def shown(*snaps: ReleaseSnapshot) -> dict[str, tuple[bool, str]]:
        alerts = [a for s in snaps for a in derive({"release": s}, T0)]
        listed = book.update(alerts, T0)
        return {a.key: (a.acknowledged, a.acked_by) for a in listed}

    r1, r2 = failed_cut("r1", timedelta(minutes=-5)), failed_cut("r2", timedelta(minutes=-2))
    assert shown(r1, r2) == {"release:r1": (True, "alice"), "release:r2": (False, "")}
    assert shown(r2) == {"release:r2": (False, "")}  # r1 cleared
    assert shown(r1, r2) == {"release:r1": (False, ""), "release:r2": (False, "")}


def test_an_alert_without_a_time_in_its_data_says_it_was_seen_at_start() -> None:
    book = AlertBook()

    def at(minutes: int, denied: int) -> list[Alert]:
        now = T0 + timedelta(minutes=minutes)
        fresh = OK.model_copy(update={"last_ok_at": now})
        snap = access(1000, denied, 0.05).model_copy(update={"observed_at": now, "health": fresh})
        return book.update(book.derive({"access": snap}, now), now)

    (first,) = at(0, 300)
    assert (first.kind, first.raised_at, first.raised_from) == (AlertKind.DENY_SPIKE, T0, "start")
    assert at(2, 10) == []  # it clears
    (back,) = at(3, 300)
    assert (back.raised_at, back.raised_from) == (T0 + timedelta(minutes=3), "seen")


def test_the_timeline_and_the_report_say_an_alert_was_there_at_start() -> None:
    spike = Alert(
        kind=AlertKind.DENY_SPIKE,
        key="access",
        severity="critical",
        raised_at=T0,
        raised_from="start",
        message="tenant=acme 43%",
    )
    tl = Timeline()
    tl.observe_alerts([spike], T0)
    tl.observe_alerts([], T0 + timedelta(minutes=2))
    assert [e.text for e in tl.events] == [
        "raised policy deny spike: tenant=acme 43% (seen since 09:00:00Z, dashboard start)",
        "cleared policy deny spike: was tenant=acme 43%; lasted at least 2m00s:"
        " it was there at start",
    ]
    md = game_day_report(
        now=T0,
        environment="stage",
        events=[],
        alerts=[spike],
        first_seen={},
        latency=None,
        baselines={},
    )
    assert (
        "- seen since 09:00:00Z (dashboard start) **policy deny spike** (critical): tenant=acme 43%"
    ) in md


async def test_a_read_only_viewer_acks_on_its_own_dashboard_only(
    frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    """A read-only viewer's `a` was audited and shared: written to the trail, it dimmed the
    CRIT on every other dashboard. Now it acknowledges here only, and says so."""
    viewer = app_as("vic", frozen_clock, tmp_path)
    viewer.forced_read_only = True
    async with viewer.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: train_alert(viewer) is not None, what="the failed cut")
        await ack_in_the_list(pilot, viewer, TRAIN)
        said = "release train failure acknowledged here only: read-only, so not audited"
        assert any(n.message.startswith(said) for n in viewer._notifications)
        alert = train_alert(viewer)
        assert alert is not None and alert.acked_by == "vic (here only: read-only)"
        records = await viewer.sources.ctx.audit.records(limit=100)
        assert not [r for r in records if r.action == "alert-ack"]  # nothing written
        assert any("by vic, here only: read-only" in e.text for e in viewer.timeline.events)

    frozen_clock.advance(60)
    oncall = app_as("olga", frozen_clock, tmp_path)
    async with oncall.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: train_alert(oncall) is not None, what="the failed cut")
        read = lambda: oncall.timeline.history_state == "read"  # noqa: E731
        await wait_for(pilot, read, what="the audit history read: no ack of the viewer's")
        alert = train_alert(oncall)
        assert alert is not None and not alert.acknowledged
