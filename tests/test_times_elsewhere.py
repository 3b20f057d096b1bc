"""What alice does, bob's dashboard on the same data dir stamps with the time it happened,
not when his dashboard noticed it. Alice's grant was 15:45:44Z in the audit trail and her
report, 15:45:46Z in bob's; a window's active and ended times were a second apart between
the two reports."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from backends.clock import FrozenClock
from backends.models import (
    Actor,
    FaultRequest,
    FaultSpec,
    FaultsSnapshot,
    HealthState,
    ReleaseRun,
    ReleaseSnapshot,
    SourceHealth,
    StageStatus,
    WindowState,
)
from backends.timeline import Timeline, grant_key, window_key
from tests.conftest import T0
from tests.grant_helpers import code_at, enroll, req
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui.app import WatchfloorApp
from tui.panes.grants import GrantsPane

ALICE = Actor(name="alice")
NOTICED = 2  # seconds: bob's dashboard sees each of alice's actions this much later


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def when(app: WatchfloorApp, key: str) -> datetime | None:
    return next((e.at for e in app.timeline.events if e.key == key), None)


def window_state(app: WatchfloorApp, wid: str) -> WindowState | None:
    snap = app.snapshots.get("faults")
    windows = snap.windows if isinstance(snap, FaultsSnapshot) else ()
    return next((w.state(app.clock.now()) for w in windows if w.id == wid), None)


def report_rows(folder: Path) -> list[str]:
    text = next(folder.glob("gameday-*.md")).read_text(encoding="utf-8")
    return [x for x in text.split("## Timeline")[1].splitlines() if x.startswith("| 09:")]


async def test_bobs_timeline_and_report_say_when_alice_acted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "1")
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "alice")
    hers = FrozenClock(T0)
    alice = local_sources(hers)  # her dashboard (or shell) on the same data dir
    secret = await enroll(alice, "alice")
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "bob")
    his = FrozenClock(at(NOTICED))
    app = local_app(his)
    app.screenshot_dir = tmp_path

    def tick(seconds: float) -> None:
        hers.advance(seconds)
        his.advance(seconds)

    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        grants = app.query_one(GrantsPane).grant_list()
        g = await alice["grants"].grant(req(code_at(secret, hers.now()), subject="erin"), ALICE)
        await wait_for(pilot, lambda: g.id in {x.id for x in grants.grants}, what="her grant")
        tick(10)
        await alice["grants"].revoke(g.id, ALICE, "done with the database")
        await wait_for(pilot, lambda: when(app, grant_key(g.id, "end")) is not None, what="gone")
        tick(10)
        spec = FaultSpec(target_host="docs-api", namespace="stage", abort_percent=1)
        w = await alice["faults"].schedule(FaultRequest(spec=spec, reason="drill on docs"), ALICE)
        await wait_for(pilot, lambda: window_state(app, w.id) is WindowState.ACTIVE, what="on")
        tick(10)
        await alice["faults"].end(w.id, ALICE, "drill over")
        await wait_for(pilot, lambda: window_state(app, w.id) is WindowState.ENDED, what="off")

        assert when(app, grant_key(g.id, "start")) == at(0)
        assert when(app, grant_key(g.id, "end")) == at(10)
        assert when(app, window_key(w.id, "open")) == at(20)
        assert when(app, window_key(w.id, "end")) == at(30)
        await pilot.press("x")
        await wait_for(pilot, lambda: any(tmp_path.glob("gameday-*.md")), what="the report")
    rows = [
        r
        for r in report_rows(tmp_path)
        if any(x in r for x in (g.id, w.id, "alice granted")) and "| audit |" not in r
    ]
    assert [r.split(" | ")[:2] for r in rows] == [  # newest first, at alice's times
        ["| 09:00:30Z", "fault"],
        ["| 09:00:20Z", "fault"],
        ["| 09:00:10Z", "revoke"],
        ["| 09:00:00Z", "grant"],
    ]
    await alice.aclose()


def run(status: StageStatus, finished: float | None) -> ReleaseSnapshot:
    cut = ReleaseRun(
        id="7",
        version="v1.4.0",
        status=status,
        started_at=at(0),
        finished_at=None if finished is None else at(finished),
    )
    return ReleaseSnapshot(
        observed_at=at(0), health=SourceHealth(state=HealthState.OK), current=cut
    )


def test_a_cut_is_stamped_when_it_finished_not_when_it_was_seen() -> None:
    tl = Timeline()
    tl.observe(run(StageStatus.PENDING, None), at(0))
    tl.observe(run(StageStatus.RUNNING, None), at(5))
    tl.observe(run(StageStatus.SUCCESS, 40), at(45))
    assert [(e.at, e.text) for e in tl.events] == [
        (at(0), "v1.4.0 running"),  # it started at 0: its source says so
        (at(40), "v1.4.0 success"),
    ]
