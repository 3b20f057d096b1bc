"""Alice and bob, on call, each with a dashboard on one data dir (and the command line):
each fault window is ended by one of them, and the other is told who did.

Both pressed HALT ALL at once: both ended the same windows. Bob's toast said "HALT ALL:
2 window(s) ended", the trail had both outcomes `applied`, and whichever wrote last was
the one `faults list` named. `e` racing someone's end, and a reconciler's end (or start)
racing a HALT ALL, overwrote it the same way. Now ending a window is a compare-and-set in
the store: the one who lost says "0 window(s) ended; 2 already ended by alice", and its
audit outcome says the same. Ending a window someone has just ended (the pane not polled
since) said "End refused · no open fault window '0b180b4a'" (the command line: "refused:
no open fault window …"); now it says who ended it, when and how: nothing to end."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from textual.widgets import Static

from backends.audit_history import history_from
from backends.clock import FrozenClock
from backends.contracts import ActionRefused
from backends.models import (
    Actor,
    FaultGuards,
    FaultRequest,
    FaultSpec,
    FaultsSnapshot,
    HealthState,
    LatencySnapshot,
    RouteLatency,
    SourceHealth,
    WindowState,
)
from backends.timeline import window_key
from backends.wiring import Sources
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.race_helpers import ahead_of, sources_of
from tui import cli
from tui.app import WatchfloorApp
from tui.commands.faults_listing import list_lines
from tui.screens.end_window import EndWindowScreen
from tui.screens.halt import HaltScreen

ALICE, BOB = Actor(name="alice"), Actor(name="bob")
PAGER = "pager fired: checkout errors"
SPEC = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=800, delay_percent=20)
NOW = FaultRequest(spec=SPEC, reason="game day: docs-api latency drill")
LATER = NOW.model_copy(update={"start_in": timedelta(minutes=5)})
TIME = r"\d\d:\d\d:\d\dZ"


def messages(app: WatchfloorApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def end_said(app: WatchfloorApp) -> str:
    """What `e`'s dialog says below its reason (a refusal), "" with none open."""
    screen = app.screen
    if not isinstance(screen, EndWindowScreen):
        return ""
    return str(screen.query_one("#end-error", Static).render())


def state_of(app: WatchfloorApp, wid: str) -> WindowState | None:
    snap = app.snapshots.get("faults")
    windows = snap.windows if isinstance(snap, FaultsSnapshot) else ()
    return next((w.state(app.clock.now()) for w in windows if w.id == wid), None)


async def outcome_of(src: Sources, action: str, actor: str) -> str:
    records = await src["audit"].records(limit=100)
    (said,) = [
        str(r.outcome)
        for r in records
        if r.action == action and r.phase == "outcome" and r.actor == actor
    ]
    return said


async def test_two_halts_at_once_end_each_window_once_and_bob_is_told_alice_did(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "1")
    alice = sources_of(monkeypatch, "alice")
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "bob")
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        running = await alice["faults"].schedule(NOW, ALICE)
        later = await alice["faults"].schedule(LATER, ALICE)
        await wait_for(pilot, lambda: state_of(app, later.id) is not None, what="listed")
        # alice's HALT ALL gets in after bob's read the windows open, before it ends them
        ahead_of(monkeypatch, app.sources, "fault-halt-all", lambda: alice["faults"].halt_all(
            ALICE, PAGER
        ))  # fmt: skip
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="halt modal")
        await pilot.press(*PAGER, "enter", *"HALT", "enter")
        await wait_for(
            pilot, lambda: any(t.startswith("HALT ALL: ") for t in messages(app)), what="toast"
        )
        assert "HALT ALL: 0 window(s) ended; 2 already ended by alice" in messages(app)
        hers = [e.text for e in app.timeline.newest_first() if e.text.startswith("HALT ALL by")]
        assert hers == [f"HALT ALL by bob: 0 window(s) ended; 2 already ended by alice; {PAGER}"]

    snap = await alice["faults"].snapshot()  # `faults list`: alice, who ended them
    assert {w.id: w.end_reason for w in snap.windows} == {
        running.id: f"HALT ALL by alice: {PAGER}",
        later.id: f"HALT ALL by alice: {PAGER}",
    }
    lines = list_lines(snap, snap.observed_at)[1:]
    assert all(line.endswith(f"— HALT ALL by alice: {PAGER}") for line in lines), lines
    assert await outcome_of(alice, "fault-halt-all", "alice") == "applied"
    assert await outcome_of(alice, "fault-halt-all", "bob") == (
        "0 window(s) ended; 2 already ended by alice"
    )
    await alice.aclose()


async def test_e_racing_alices_end_leaves_hers_and_says_she_ended_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "1")
    alice = sources_of(monkeypatch, "alice")
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "bob")
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        w = await alice["faults"].schedule(NOW, ALICE)
        await wait_for(pilot, lambda: state_of(app, w.id) is WindowState.ACTIVE, what="active")
        ahead_of(monkeypatch, app.sources, "fault-end", lambda: alice["faults"].end(
            w.id, ALICE, "drill over"
        ))  # fmt: skip
        await pilot.press("e", *"bob's drill is over", "enter")  # the one open window
        said = re.compile(  # in its dialog, as a revoke of a revoked grant
            rf"fault window {w.id} on stage/docs-api was already ended by alice"
            rf" at {TIME} \(drill over\): nothing to end"
        )
        await wait_for(pilot, lambda: bool(said.fullmatch(end_said(app))), what=said.pattern)
        assert not any(t.startswith("Fault window: Window") for t in messages(app))

    (stored,) = (await alice["faults"].snapshot()).windows
    assert stored.end_reason == "ended by alice: drill over"
    assert await outcome_of(alice, "fault-end", "alice") == "applied"
    bobs = await outcome_of(alice, "fault-end", "bob")
    assert re.fullmatch(
        rf"refused: fault window {w.id} on stage/docs-api was already ended by alice at {TIME}"
        r" \(drill over\): nothing to end",
        bobs,
    ), bobs
    await alice.aclose()


async def test_e_on_a_window_alice_ended_since_the_last_poll_says_who_and_how(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pane still shows it active (polled before she ended it): `e` said "End refused
    · no open fault window '0b180b4a'"."""
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "60")  # bob's pane is not polled again
    alice = sources_of(monkeypatch, "alice")
    w = await alice["faults"].schedule(NOW, ALICE)
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "bob")
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: state_of(app, w.id) is WindowState.ACTIVE, what="active")
        await alice["faults"].halt_all(ALICE, PAGER)
        assert state_of(app, w.id) is WindowState.ACTIVE  # as bob's pane still shows it
        await pilot.press("e", *"bob's drill is over", "enter")
        said = re.compile(
            rf"fault window {w.id} on stage/docs-api was already ended by alice"
            rf" at {TIME} \(HALT ALL: {PAGER}\): nothing to end"
        )
        await wait_for(pilot, lambda: bool(said.fullmatch(end_said(app))), what=said.pattern)
        # and the pane is read again: it shows the window ended, and the dialog keeps the
        # refusal's words (who, when, why), not "… was already ended: nothing to end"
        await wait_for(pilot, lambda: state_of(app, w.id) is WindowState.ENDED, what="ended")
        await pilot.pause(1.2)  # the dialog's once-a-second feed has seen it ended
        assert said.fullmatch(end_said(app)), end_said(app)
    await alice.aclose()


def test_faults_end_of_a_window_alice_ended_says_so_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`watchfloor faults end ID` said "refused: no open fault window '52fd3b02'"."""
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "alice")
    assert cli.main(["faults", "schedule", "--host", "docs-api", "-n", "stage", "--delay",
                     "800ms", "--delay-percent", "20", "--reason", NOW.reason]) == 0  # fmt: skip
    wid = capsys.readouterr().out.split()[0]
    assert cli.main(["faults", "end", wid, "--reason", "drill over"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "bob")
    assert cli.main(["faults", "end", wid, "--reason", "bob's drill is over"]) == 1  # as a revoke
    err = capsys.readouterr().err
    assert re.fullmatch(
        rf"watchfloor: refused: fault window {wid} on stage/docs-api was already ended by"
        rf" alice at {TIME} \(drill over\): nothing to end\n",
        err,
    ), err


def hot(at: datetime) -> LatencySnapshot:
    """p99.9 over the guard's 500 ms."""
    route = RouteLatency(route="GET /docs/:id", p999_ms=2000, slo_ms=400, observations=5000)
    health = SourceHealth(state=HealthState.OK, last_ok_at=at, interval_s=2)
    return LatencySnapshot(observed_at=at, health=health, source="local", routes=(route,))


async def test_a_reconcilers_guard_end_racing_a_halt_leaves_the_halt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FrozenClock(T0)
    alice = sources_of(monkeypatch, "alice", clock)
    bob = sources_of(monkeypatch, "bob", clock)  # bob's dashboard: its reconciler
    guarded = NOW.model_copy(update={"guards": FaultGuards(p999_ms_above=500)})
    w = await alice["faults"].schedule(guarded, ALICE)
    clock.advance(5)
    ahead_of(monkeypatch, bob, "fault-reconcile-end", lambda: alice["faults"].halt_all(
        ALICE, PAGER
    ))  # fmt: skip
    assert await bob["faults"].reconcile(hot(clock.now())) == []  # it changed nothing
    (stored,) = (await alice["faults"].snapshot()).windows
    assert stored.end_reason == f"HALT ALL by alice: {PAGER}"
    said = await outcome_of(alice, "fault-reconcile-end", "watchfloor-reconcile")
    assert said == (
        f"refused: fault window {w.id} on stage/docs-api was already ended by alice at"
        f" 09:00:05Z (HALT ALL: {PAGER}): nothing to end"
    )
    await alice.aclose()
    await bob.aclose()


async def test_a_reconciler_starting_a_window_alice_halts_meanwhile_does_not_start_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The start wrote the window back as it read it, started: HALT ALL was undone."""
    clock = FrozenClock(T0)
    alice = sources_of(monkeypatch, "alice", clock)
    bob = sources_of(monkeypatch, "bob", clock)
    w = await alice["faults"].schedule(
        NOW.model_copy(update={"start_in": timedelta(seconds=5)}), ALICE
    )
    clock.advance(10)  # due
    ahead_of(monkeypatch, bob, "fault-start", lambda: alice["faults"].halt_all(ALICE, PAGER))
    assert await bob["faults"].reconcile() == []
    (stored,) = (await alice["faults"].snapshot()).windows
    assert stored.state(clock.now()) is WindowState.ENDED and not stored.applied
    assert stored.end_reason == f"HALT ALL by alice: {PAGER}"
    assert await outcome_of(alice, "fault-start", "watchfloor-reconcile") == (
        f"refused: fault window {w.id} on stage/docs-api was already ended by alice at"
        f" 09:00:10Z (HALT ALL: {PAGER}): not started"
    )
    await alice.aclose()
    await bob.aclose()


async def test_an_end_by_id_that_never_was_is_still_no_open_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob = sources_of(monkeypatch, "bob")
    with pytest.raises(ActionRefused, match="no open fault window 'nope'"):
        await bob["faults"].end("nope", BOB, "drill over")
    await bob.aclose()


async def test_a_trail_read_later_names_who_ended_each_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a dashboard started later (its timeline, its report) reads from the trail: bob's
    HALT ALL, requested first, ended none; his `e` ended nothing. Both requests listed the
    windows and both outcomes said `applied`: the report said bob halted them."""
    clock = FrozenClock(T0)
    alice = sources_of(monkeypatch, "alice", clock)
    bob = sources_of(monkeypatch, "bob", clock)
    one = await alice["faults"].schedule(NOW, ALICE)
    two = await alice["faults"].schedule(LATER, ALICE)
    clock.advance(5)
    halts = ahead_of(monkeypatch, bob, "fault-halt-all", lambda: alice["faults"].halt_all(
        ALICE, PAGER
    ))  # fmt: skip
    assert await bob["faults"].halt_all(BOB, PAGER) == 0
    assert halts == [2]
    three = await alice["faults"].schedule(NOW, ALICE)
    ahead_of(monkeypatch, bob, "fault-end", lambda: alice["faults"].end(
        three.id, ALICE, "drill over"
    ))  # fmt: skip
    with pytest.raises(ActionRefused, match="already ended by alice"):
        await bob["faults"].end(three.id, BOB, "drill over")

    read = history_from(await alice["audit"].records(limit=100), clock.now())
    assert {w.id: w.end_reason for w in read.windows} == {
        one.id: f"HALT ALL by alice: {PAGER}",
        two.id: f"HALT ALL by alice: {PAGER}",
        three.id: "ended by alice: drill over",
    }
    bobs = sorted(e.text for e in read.events.values() if e.text.startswith("bob "))
    assert bobs == [
        f"bob (os user dave) fault-end stage/docs-api refused: fault window {three.id} on"
        " stage/docs-api was already ended by alice at 09:00:05Z (drill over): nothing to end:"
        f" drill over (window {three.id})",
        "bob (os user dave) fault-halt-all in every namespace 0 window(s) ended; 2 already"
        f" ended by alice: {PAGER}",
    ]
    # the window's end in the timeline is alice's: bob's refused end is not it
    ends = [e for e in read.events.values() if e.key == window_key(three.id, "end")]
    assert [e.text.split()[0] for e in ends] == ["alice"]
    await alice.aclose()
    await bob.aclose()
