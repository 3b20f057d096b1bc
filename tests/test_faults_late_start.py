"""A window whose start came with no reconciler running goes in late, when the next one
runs (the next dashboard, `watchfloor faults reconcile`). alice scheduled search-api to
start in 1m and quit; bob's dashboard started it 29 s late. Every front end said the
planned start as if it were the real one: `faults list` `09:01:00-09:05:00Z` (after its
end too), the details `starts at 09:01:00Z`, the report `planned 09:01:00Z to 09:05:00Z`,
and the timeline gave no hint it started late or by whom. Now each says the real start,
how late and by whose reconciler beside the planned one (an on-time start, a reconcile
round's second or two, is not late). And q with a window not started said "until
09:05:00Z. Once the dashboard closes nothing ends them" (on the local backend they do end
on time; a window not started waits for the next reconciler), and the q warning and the
"Fault window scheduled" toast gave a time tomorrow without its date."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from backends.audit_history import history_from
from backends.clock import FrozenClock
from backends.contracts import ends_on_time
from backends.fault_times import late_by, late_words, window_cell
from backends.faults_core import snapshot_json
from backends.kube.faults import KubeFaults
from backends.local.faults import LocalFaults
from backends.models import Actor, FaultRequest, FaultSpec, FaultsSnapshot, FaultWindow
from backends.report_faults import fault_windows_section
from backends.timeline import Timeline, window_key
from tests.conftest import T0
from tests.helpers import local_app, local_sources, wait_for
from tests.test_details_pilot import shown
from tests.test_form_in_flight import toasts
from tui import fault_reconcile
from tui.commands.faults_listing import list_lines
from tui.fault_quit import quit_words
from tui.screens.fault_details import FaultDetailsScreen
from tui.screens.fault_window import FaultWindowScreen

ALICE = Actor(name="alice")
LATE = "29s late, by bob's reconciler"


def req(host: str = "search-api", **kw: Any) -> FaultRequest:
    spec = FaultSpec(target_host=host, namespace="stage", delay_ms=200, delay_percent=20)
    return FaultRequest(spec=spec, reason="handover test B: search-api later", **kw)


def later() -> FaultRequest:
    """To start in 1m, for 4m."""
    return req(start_in=timedelta(minutes=1), duration=timedelta(minutes=4))


def row(snap: FaultsSnapshot, wid: str, now: Any) -> str:
    (line,) = [x for x in list_lines(snap, now) if x.startswith(wid)]
    return line


async def scheduled_by_alice(clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> FaultWindow:
    """alice schedules search-api to start in 1m for 4m, then quits; bob comes 89 s later."""
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "alice")
    alice = local_sources(clock)
    w: FaultWindow = await alice["faults"].schedule(later(), ALICE)
    await alice.aclose()
    clock.advance(89)  # no reconciler ran at its start (09:01:00)
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "bob")
    return w


async def test_a_late_start_is_said_in_the_list_the_report_the_timeline_and_the_trail(
    frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await scheduled_by_alice(frozen_clock, monkeypatch)
    bob = local_sources(frozen_clock)
    faults = bob["faults"]
    tl = Timeline()
    tl.observe(await faults.snapshot(), frozen_clock.now())
    assert await faults.reconcile(None) == [f"{w.id} stage/search-api: started"]
    snap, now = await faults.snapshot(), frozen_clock.now()
    tl.observe(snap, now)

    assert "09:01:29-09:05:00Z (started late, planned 09:01:00Z)" in row(snap, w.id, now)
    (doc,) = snapshot_json(snap, now)["windows"]
    assert doc["started_at"].startswith("2026-03-16T09:01:29") and doc["started_by"] == "bob"
    (active,) = [e.text for e in tl.events if e.key == window_key(w.id, "active")]
    assert active.endswith(f"; started {LATE}"), active
    report = fault_windows_section(snap, now)
    assert f"  - planned 09:01:00Z to 09:05:00Z; started 09:01:29Z, {LATE}" in report, report

    frozen_clock.advance(240)  # its planned end: it ends on time, still having started late
    await faults.reconcile(None)
    snap, now = await faults.snapshot(), frozen_clock.now()
    tl.observe(snap, now)
    line = row(snap, w.id, now)
    assert "09:01:29-09:05:00Z (started late, planned 09:01:00Z)" in line, line
    assert line.endswith("— ended on time"), line
    (end,) = [e.text for e in tl.events if e.key == window_key(w.id, "end")]
    assert f"; started {LATE}; ended on time" in end, end

    # a dashboard that never listed it reads the same from the audit trail
    read = history_from(await bob["audit"].records(100), now)
    (trail,) = [x for x in read.windows if x.id == w.id]
    assert trail.started_by == "bob" and late_words(trail) == LATE
    await bob.aclose()


@pytest.mark.parametrize(("after_s", "late"), [(0, False), (2, False), (5, False), (6, True)])
async def test_a_start_within_a_reconcile_round_or_two_is_on_time(
    after_s: int, late: bool, frozen_clock: FrozenClock
) -> None:
    """LATE_AFTER (5 s): the dashboard reconciles every 2 s, and a round may be slow."""
    faults = local_sources(frozen_clock)["faults"]
    w = await faults.schedule(later(), ALICE)
    frozen_clock.advance(60 + after_s)
    await faults.reconcile(None)
    snap, now = await faults.snapshot(), frozen_clock.now()
    (started,) = snap.windows
    assert (late_by(started) is not None) is late
    assert ("started late" in row(snap, w.id, now)) is late
    assert any("started" in x for x in fault_windows_section(snap, now)) is late


def test_late_and_ended_early_says_both_planned_times() -> None:
    w = FaultWindow(
        id="w1",
        spec=req().spec,
        owner="alice",
        reason="drill",
        starts_at=T0,
        ends_at=T0 + timedelta(minutes=4),
        started_at=T0 + timedelta(seconds=90),
        started_by="bob",
        ended_early_at=T0 + timedelta(minutes=2),
        end_reason="ended by bob: drill over",
    )
    assert (
        window_cell(w, T0.date()) == "09:01:30-09:02:00Z (started late, planned 09:00:00-09:04:00Z)"
    )
    early = w.model_copy(update={"started_at": T0 + timedelta(seconds=1)})  # on time
    assert window_cell(early, T0.date()) == "09:00:00-09:02:00Z (planned 09:04:00Z)"


async def test_details_say_the_planned_start_and_the_late_one_with_whose_reconciler(
    frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await scheduled_by_alice(frozen_clock, monkeypatch)
    app = local_app(frozen_clock)  # bob's dashboard: its reconciler starts it, late
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")

        def started() -> bool:
            snap = app.snapshots["faults"]
            return any(x.id == w.id and x.applied for x in getattr(snap, "windows", ()))

        await wait_for(pilot, started, what="bob's reconciler to start it")
        await pilot.press("2", "home", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultDetailsScreen), what="details")
        body = shown(app.screen)
        assert "due at 2026-03-16 09:01:00Z 29s ago" in body, body
        assert f"started at 2026-03-16 09:01:29Z 0s ago {LATE}" in body, body
        assert "starts at" not in body
        (active,) = [e.text for e in app.timeline.events if e.key == window_key(w.id, "active")]
        assert active.endswith(f"; started {LATE}"), active


async def test_q_says_a_window_not_started_waits_and_every_time_not_today_has_its_date(
    frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form's window starts tomorrow (in 23h): its toast and the q warning say 03-17."""
    monkeypatch.setattr(fault_reconcile, "RECONCILE_S", 3600.0)  # this dashboard starts none
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "alice")
    app = local_app(frozen_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        running = await app.sources["faults"].schedule(
            req("docs-api", duration=timedelta(minutes=2)), ALICE
        )
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        form = ["search-api", "stage", "800ms", "30", None, None, "23h", None, None, None, None]
        for text in [*form, "drill search tomorrow"]:
            await pilot.press(*([] if text is None else ["home", "ctrl+k", *text]), "enter")
        said = "Fault window scheduled: stage/search-api 03-17 08:00:00-08:10:00Z ("
        await wait_for(pilot, lambda: any(said in t for t in toasts(app)), what="the toast")

        await pilot.press("q")
        asks = "Quit with fault windows open?"
        await wait_for(pilot, lambda: any(asks in t for t in toasts(app)), what="the question")
        (note,) = [t for t in toasts(app) if asks in t]
        assert (
            "2 fault window(s) open: stage/docs-api until 09:02:00Z; stage/search-api not"
            " started (planned 03-17 08:00:00-08:10:00Z)."
        ) in note, note
        # local: the simulation takes a started window out at its end by itself
        assert "the running one still ends on time, but nothing checks its guards" in note
        assert (
            "Nothing but a dashboard that is not read-only, or `watchfloor faults reconcile`,"
            " starts the one not started: with none running at its start it goes in late"
        ) in note, note
        assert "nothing ends" not in note
        assert running.applied
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code is not None, within=5, what="the quit")


def test_on_a_mesh_nothing_but_a_reconciler_ends_a_running_window() -> None:
    """Its VirtualService stays in until a reconciler takes it out: q says so there."""
    assert ends_on_time(LocalFaults) and not ends_on_time(KubeFaults)
    assert not ends_on_time(object())  # a backend that does not say: the careful words
    w = FaultWindow(
        id="w1",
        spec=req().spec,
        owner="alice",
        reason="drill",
        starts_at=T0,
        ends_at=T0 + timedelta(minutes=4),
        applied=True,
    )
    said = quit_words([w, w], T0, ends_on_time=False)
    assert said == (
        "2 fault window(s) open: stage/search-api until 09:04:00Z; stage/search-api until"
        " 09:04:00Z. Once the dashboard closes nothing ends them or checks their guards, unless"
        " `watchfloor faults reconcile` runs elsewhere. Press q again to quit; H halts them all."
    )
