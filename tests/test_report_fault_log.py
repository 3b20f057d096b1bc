"""The game-day report lists every fault window of the day, not only those the faults
source still lists (it forgets an ended one an hour after its end, KEEP_ENDED): each one
seen since the dashboard started, its latest version, and those the audit trail records
from before the start. Before: `x` at the end of a 3 h game day listed the last hour's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot

from backends.audit_history import history_from
from backends.clock import FrozenClock
from backends.fault_log import FaultLog
from backends.models import AuditRecord, FaultsSnapshot
from backends.report import game_day_report
from tests.conftest import T0
from tests.grant_helpers import ME
from tests.helpers import local_app, local_sources, wait_for
from tests.test_report_faults import OK, section, window
from tests.test_timeline_fault_ends import one_minute
from tui.app import WatchfloorApp


def report_section(where: Path) -> str:
    (report,) = where.glob("gameday-*.md")
    return section(report.read_text())


async def export(pilot: Pilot[None], app: WatchfloorApp, where: Path) -> str:
    await pilot.press("x")
    await wait_for(pilot, lambda: any(where.glob("gameday-*.md")), what="the report")
    return report_section(where)


def ended_on_time(app: WatchfloorApp, wid: str) -> bool:
    """The faults pane's latest snapshot says the reconciler recorded its end."""
    snap = app.snapshots["faults"]
    assert isinstance(snap, FaultsSnapshot)
    return any(w.id == wid and w.end_reason == "ended on time" for w in snap.windows)


async def test_at_the_end_of_a_3_h_game_day_the_report_lists_every_window(
    frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    app = local_app(frozen_clock)
    app.screenshot_dir = tmp_path
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        # the trail is read after the first paint, "since" from the clock then: not once
        # the clock has moved on (a slow machine)
        await wait_for(pilot, lambda: app.timeline.history_state == "read", 10, what="the trail")
        ids: list[str] = []
        for host, then in (("search-api", 3600), ("docs-api", 5400), ("gateway", 1800)):
            wid = (await app.sources["faults"].schedule(one_minute(host), ME)).id
            ids.append(wid)  # at 09:00, 10:00, 11:30
            await app.refresh_now("faults")
            frozen_clock.advance(120)  # the dashboard's reconciler ends it
            await wait_for(pilot, lambda: ended_on_time(app, ids[-1]), 10, what="its end")
            frozen_clock.advance(then - 120)
            await app.refresh_now("faults")
        listed = app.snapshots["faults"]
        assert isinstance(listed, FaultsSnapshot)
        assert [w.id for w in listed.windows] == ids[2:]  # 12:00: the source forgot two
        text = await export(pilot, app, tmp_path)
    assert text.startswith(
        "Every window the faults source listed from 09:00:00Z (it lists one for 1h after its"
        " end) and every one the audit trail records scheduled since 2026-03-15 21:00:00Z,"
        " the newest start first.\n"
    ), text
    assert [text.index(f"**{wid}**") for wid in reversed(ids)] == sorted(
        text.index(f"**{wid}**") for wid in ids
    )
    planned = (("search-api", "09:00", "09:01"), ("docs-api", "10:00", "10:01"))
    for wid, (host, start, end) in zip(ids, (*planned, ("gateway", "11:30", "11:31")), strict=True):
        assert (
            f"- **{wid}** on stage/{host}: +300ms on 10% of requests\n"
            f"  - planned {start}:00Z to {end}:00Z\n"
            f"  - state: ended at {end}:00Z, ended on time\n"
            f"  - scheduled by dave: one minute on {host}\n"
            "  - guards: none\n"
        ) in text + "\n", text


async def test_a_restarted_dashboard_lists_earlier_windows_from_the_audit_trail(
    frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    """Ended two hours before the start: only the trail still knows it, and says so."""
    src = local_sources(frozen_clock)
    early = await src["faults"].schedule(one_minute("search-api"), ME)
    frozen_clock.advance(90)
    await src["faults"].reconcile()  # `watchfloor faults reconcile`: ended on time
    await src.aclose()
    frozen_clock.advance(2 * 3600)
    app = local_app(frozen_clock)
    app.screenshot_dir = tmp_path
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.timeline.history_state == "read", 10, what="the trail")
        text = await export(pilot, app, tmp_path)
    assert (
        f"- **{early.id}** on stage/search-api: what it injected is not in the audit trail\n"
        "  - planned 09:00:00Z to 09:01:00Z\n"
        "  - state: ended at 09:01:00Z, ended on time\n"
        "  - scheduled by dave: one minute on search-api\n"
        "  - guards: not in the audit trail\n"
    ) in text + "\n", text


def test_the_log_keeps_the_latest_version_and_says_when_it_had_to_cut() -> None:
    log = FaultLog(limit=2)
    a, b, c = window("aaaa0001", 0), window("bbbb0002", 10), window("cccc0003", 20)
    log.observe(FaultsSnapshot(observed_at=T0, health=OK, windows=(a, b)))
    halted = b.model_copy(update={"ended_early_at": T0, "end_reason": "HALT ALL by carol: x"})
    log.observe(FaultsSnapshot(observed_at=T0, health=OK, windows=(halted, c)))
    assert [e.window for e in log.newest_first()] == [c, halted]  # a: the oldest start, cut
    md = game_day_report(
        now=T0 + timedelta(minutes=30),
        environment="stage",
        events=[],
        alerts=[],
        first_seen={},
        latency=None,
        baselines={},
        faults=FaultsSnapshot(observed_at=T0, health=OK, windows=(halted, c)),
        fault_log=log,
    )
    text = section(md)
    assert "The 1 oldest are left out (the report keeps 2)." in text.split("\n")[0]
    assert "aaaa0001" not in text and "cancelled at 09:00:00Z" in text


def action(
    seq: int, rid: str, minute: float, act: str, outcome: str = "applied", **details: str
) -> list[AuditRecord]:
    """One action's request and outcome records, `minute` minutes after 09:00:00Z."""
    at = T0 + timedelta(minutes=minute)
    base = {"id": rid, "at": at, "actor": "dave", "action": act, "target": "stage/docs-api"}
    return [
        AuditRecord(seq=seq, phase="request", details=details, prev_hash="0", hash="0", **base),
        AuditRecord(seq=seq + 1, phase="outcome", outcome=outcome, prev_hash="0", hash="0", **base),
    ]


def scheduled(seq: int, rid: str, wid: str, outcome: str = "applied") -> list[AuditRecord]:
    starts, ends = T0.isoformat(), (T0 + timedelta(minutes=10)).isoformat()
    return action(
        seq,
        rid,
        0,
        "fault-schedule",
        outcome,
        window_id=wid,
        reason="drill",
        starts_at=starts,
        ends_at=ends,
    )


def test_the_trail_says_how_each_window_it_scheduled_ended() -> None:
    records = [
        *scheduled(1, "s1", "w1"),
        *scheduled(3, "s2", "w2"),
        *scheduled(5, "s3", "w3", outcome="failed: OPA down"),  # never scheduled
        *action(7, "e1", 4, "fault-end", window_id="w1", reason="seen enough"),
        *action(9, "h1", 6, "fault-halt-all", windows="w1,w2,w3", reason="pager"),
    ]
    read = history_from(records, T0 + timedelta(hours=1))
    got = {w.id: w for w in read.windows}
    assert sorted(got) == ["w1", "w2"]
    assert got["w1"].end_reason == "ended by dave: seen enough"  # the first end it had
    assert got["w1"].ended_early_at == T0 + timedelta(minutes=4)
    assert got["w2"].end_reason == "HALT ALL by dave: pager"
    assert (got["w2"].spec.namespace, got["w2"].spec.target_host) == ("stage", "docs-api")


def test_an_open_window_the_source_stopped_listing_is_not_said_to_be_open_now() -> None:
    log = FaultLog()
    active = window("aaaa0001", 20, applied=True)
    log.observe(
        FaultsSnapshot(observed_at=T0 + timedelta(minutes=21), health=OK, windows=(active,))
    )
    log.observe(FaultsSnapshot(observed_at=T0 + timedelta(minutes=22), health=OK))
    md = game_day_report(
        now=T0 + timedelta(minutes=25),
        environment="stage",
        events=[],
        alerts=[],
        first_seen={},
        latency=None,
        baselines={},
        faults=FaultsSnapshot(observed_at=T0, health=OK),
        fault_log=log,
    )
    assert (
        "  - state: active when last listed at 09:21:00Z; the faults source no longer lists it"
        in section(md)
    )
