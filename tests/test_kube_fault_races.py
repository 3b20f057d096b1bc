"""Alice and bob, on call, each with a dashboard on one data dir, on the kube fault
backend (the fake API server, tests/kube_fake.py): each fault window is ended by one of
them, and the other is told who did, in the words the local backend uses.

Before: the kube backend's HALT ALL and its reconciler wrote a window's end over
whatever was stored. Bob's HALT ALL that lost to alice's said "HALT ALL: 0 window(s)
ended" (or, when both read the cluster at once, "2 window(s) ended" and `faults list`
named bob); a reconciler's guard end racing a HALT ALL overwrote it; a reconciler's
start racing a HALT ALL put the fault back in the mesh and the window back to started;
`e` racing a HALT ALL overwrote it with "ended by bob". Now each end is a compare-and-set
in the store (the VirtualService's own write carries its resourceVersion: a 409 is read
again, not a failure): the loser says "0 window(s) ended; 2 already ended by alice", and
its audit outcome too; `e` says "… was already ended by alice at 09:00:05Z (HALT ALL:
pager): nothing to end"."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backends.clock import FrozenClock
from backends.contracts import ActionRefused
from backends.models import Actor, FaultGuards, FaultsSnapshot, WindowState
from backends.wiring import Sources
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tests.kube_fake import FakeKube, virtual_service
from tests.kube_faults_helpers import kube_env, request
from tests.race_helpers import ahead_of
from tests.test_fault_races import hot, messages, outcome_of
from tui.screens.halt import HaltScreen

ALICE, BOB = Actor(name="alice"), Actor(name="bob")
PAGER = "pager fired: checkout errors"
TIME = r"\d\d:\d\d:\d\dZ"


def kube_of(
    monkeypatch: pytest.MonkeyPatch, api: FakeKube, actor: str, clock: Any = None
) -> Sources:
    """`actor`'s kube sources (a dashboard's, or the command line's) on the test's data dir."""
    for k, v in kube_env(api).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", actor)
    return local_sources(clock)


def after_listing(bob: Sources, first: Callable[[], Coroutine[Any, Any, object]]) -> list[object]:
    """Once bob's next removal has read the cluster (the windows still in it), `first`
    runs to the end: alice's action, whose writes get in before bob's."""
    faults: Any = bob["faults"]
    mesh = faults.mesh
    live = mesh.live
    loop = asyncio.get_running_loop()
    done: list[object] = []

    def listed_then_first(now: Any) -> Any:
        out = live(now)
        if not done:
            done.append(asyncio.run_coroutine_threadsafe(first(), loop).result(timeout=30))
        return out

    mesh.live = listed_then_first
    return done


async def two_running(api: FakeKube, alice: Sources) -> tuple[str, str]:
    """docs-api on its existing VirtualService, search-api on one watchfloor creates."""
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    a = await alice["faults"].schedule(request(), ALICE)
    b = await alice["faults"].schedule(request(host="search-api"), ALICE)
    return a.id, b.id


def state_of(app: Any, wid: str) -> WindowState | None:
    snap = app.snapshots.get("faults")
    windows = snap.windows if isinstance(snap, FaultsSnapshot) else ()
    return next((w.state(app.clock.now()) for w in windows if w.id == wid), None)


async def test_bobs_halt_after_alices_says_she_ended_them(
    api: FakeKube, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "1")
    alice = kube_of(monkeypatch, api, "alice")
    a, b = await two_running(api, alice)
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "bob")
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: state_of(app, b) is WindowState.ACTIVE, what="listed")
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

    snap = await alice["faults"].snapshot()
    assert {w.id: w.end_reason for w in snap.windows} == {
        a: f"HALT ALL by alice: {PAGER}",
        b: f"HALT ALL by alice: {PAGER}",
    }
    assert await outcome_of(alice, "fault-halt-all", "alice") == "applied"
    assert await outcome_of(alice, "fault-halt-all", "bob") == (
        "0 window(s) ended; 2 already ended by alice"
    )
    await alice.aclose()


async def test_two_halts_reading_the_cluster_at_once_end_each_window_once(
    api: FakeKube, monkeypatch: pytest.MonkeyPatch, frozen_clock: FrozenClock
) -> None:
    """Both read the faults in the mesh; alice's writes get in first, so bob's DELETE and
    PUT meet a 409 (or a 404): read again, not a failure, and not his."""
    alice = kube_of(monkeypatch, api, "alice", frozen_clock)
    bob = kube_of(monkeypatch, api, "bob", frozen_clock)
    a, b = await two_running(api, alice)
    frozen_clock.advance(5)
    halts = after_listing(bob, lambda: alice["faults"].halt_all(ALICE, PAGER))
    n = await bob["faults"].halt_all(BOB, PAGER)
    assert (n, halts) == (0, [2])
    assert api.stored("stage", f"watchfloor-fault-{b}") is None
    assert api.conflicts == 1  # bob's PUT on docs-api: read again, already out
    snap = await bob["faults"].snapshot()
    assert {w.id: w.end_reason for w in snap.windows} == {
        a: f"HALT ALL by alice: {PAGER}",
        b: f"HALT ALL by alice: {PAGER}",
    }
    assert await outcome_of(alice, "fault-halt-all", "bob") == (
        "0 window(s) ended; 2 already ended by alice"
    )
    await alice.aclose()
    await bob.aclose()


async def test_a_window_put_in_from_another_data_dir_is_ended_once_too(
    api: FakeKube, monkeypatch: pytest.MonkeyPatch, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    """Known from the cluster only (a laptop's `faults schedule`): the first HALT ALL to
    store its end is the one that ended it."""
    data_dir = os.environ["WATCHFLOOR_DATA_DIR"]
    monkeypatch.setenv("WATCHFLOOR_DATA_DIR", str(tmp_path / "laptop"))
    laptop = kube_of(monkeypatch, api, "carol", frozen_clock)
    theirs = await laptop["faults"].schedule(request(host="search-api"), Actor(name="carol"))
    await laptop.aclose()
    monkeypatch.setenv("WATCHFLOOR_DATA_DIR", data_dir)
    alice = kube_of(monkeypatch, api, "alice", frozen_clock)
    bob = kube_of(monkeypatch, api, "bob", frozen_clock)
    frozen_clock.advance(5)
    halts = after_listing(bob, lambda: alice["faults"].halt_all(ALICE, PAGER))
    assert (await bob["faults"].halt_all(BOB, PAGER), halts) == (0, [1])
    (stored,) = (await bob["faults"].snapshot()).windows
    assert (stored.id, stored.end_reason) == (theirs.id, f"HALT ALL by alice: {PAGER}")
    assert await outcome_of(alice, "fault-halt-all", "bob") == (
        "0 window(s) ended; 1 already ended by alice"
    )
    await alice.aclose()
    await bob.aclose()


async def test_bobs_halt_after_alices_e_ends_the_other_and_names_her_for_this_one(
    api: FakeKube, monkeypatch: pytest.MonkeyPatch, frozen_clock: FrozenClock
) -> None:
    alice = kube_of(monkeypatch, api, "alice", frozen_clock)
    bob = kube_of(monkeypatch, api, "bob", frozen_clock)
    a, b = await two_running(api, alice)
    frozen_clock.advance(5)
    after_listing(bob, lambda: alice["faults"].end(a, ALICE, "drill over"))
    n = await bob["faults"].halt_all(BOB, PAGER)
    assert n == 1
    snap = await bob["faults"].snapshot()
    assert {w.id: w.end_reason for w in snap.windows} == {
        a: "ended by alice: drill over",
        b: f"HALT ALL by bob: {PAGER}",
    }
    assert await outcome_of(alice, "fault-halt-all", "bob") == (
        "1 window(s) ended; 1 already ended by alice"
    )
    await alice.aclose()
    await bob.aclose()


async def test_e_racing_alices_halt_leaves_hers_and_says_she_ended_it(
    api: FakeKube, monkeypatch: pytest.MonkeyPatch, frozen_clock: FrozenClock
) -> None:
    alice = kube_of(monkeypatch, api, "alice", frozen_clock)
    bob = kube_of(monkeypatch, api, "bob", frozen_clock)
    a, _ = await two_running(api, alice)
    frozen_clock.advance(5)
    after_listing(bob, lambda: alice["faults"].halt_all(ALICE, PAGER))
    with pytest.raises(ActionRefused) as refused:
        await bob["faults"].end(a, BOB, "drill over")
    said = (
        f"fault window {a} on stage/docs-api was already ended by alice at 09:00:05Z"
        f" (HALT ALL: {PAGER}): nothing to end"
    )
    assert str(refused.value) == said
    stored = {w.id: w for w in (await bob["faults"].snapshot()).windows}
    assert stored[a].end_reason == f"HALT ALL by alice: {PAGER}"
    assert await outcome_of(alice, "fault-end", "bob") == f"refused: {said}"
    await alice.aclose()
    await bob.aclose()


async def test_a_reconcilers_guard_end_racing_a_halt_leaves_the_halt(
    api: FakeKube, monkeypatch: pytest.MonkeyPatch, frozen_clock: FrozenClock
) -> None:
    alice = kube_of(monkeypatch, api, "alice", frozen_clock)
    bob = kube_of(monkeypatch, api, "bob", frozen_clock)  # bob's dashboard: its reconciler
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    guarded = request(guards=FaultGuards(p999_ms_above=500))
    w = await alice["faults"].schedule(guarded, ALICE)
    frozen_clock.advance(5)
    ahead_of(monkeypatch, bob, "fault-reconcile-end", lambda: alice["faults"].halt_all(
        ALICE, PAGER
    ))  # fmt: skip
    assert await bob["faults"].reconcile(hot(frozen_clock.now())) == []  # it changed nothing
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
    api: FakeKube, monkeypatch: pytest.MonkeyPatch, frozen_clock: FrozenClock
) -> None:
    """The start put the fault in and wrote the window back started: HALT ALL undone."""
    alice = kube_of(monkeypatch, api, "alice", frozen_clock)
    bob = kube_of(monkeypatch, api, "bob", frozen_clock)
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    untouched = api.stored("stage", "docs-api")
    w = await alice["faults"].schedule(request(start_in=timedelta(seconds=5)), ALICE)
    frozen_clock.advance(10)  # due
    ahead_of(monkeypatch, bob, "fault-start", lambda: alice["faults"].halt_all(ALICE, PAGER))
    assert await bob["faults"].reconcile() == []
    assert api.stored("stage", "docs-api") == untouched  # no fault put in
    (stored,) = (await alice["faults"].snapshot()).windows
    assert stored.state(frozen_clock.now()) is WindowState.ENDED and not stored.applied
    assert stored.end_reason == f"HALT ALL by alice: {PAGER}"
    assert await outcome_of(alice, "fault-start", "watchfloor-reconcile") == (
        f"refused: fault window {w.id} on stage/docs-api was already ended by alice at"
        f" 09:00:10Z (HALT ALL: {PAGER}): not started"
    )
    await alice.aclose()
    await bob.aclose()


async def test_a_start_that_a_halt_overtakes_in_the_mesh_takes_its_fault_back_out(
    api: FakeKube, monkeypatch: pytest.MonkeyPatch, frozen_clock: FrozenClock
) -> None:
    """Alice's HALT ALL reads the cluster before bob's reconciler puts the fault in, and
    writes its end before bob's records the start: the fault must not stay in."""
    alice = kube_of(monkeypatch, api, "alice", frozen_clock)
    bob = kube_of(monkeypatch, api, "bob", frozen_clock)
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    untouched = api.stored("stage", "docs-api")
    w = await alice["faults"].schedule(request(start_in=timedelta(seconds=5)), ALICE)
    frozen_clock.advance(10)
    faults: Any = bob["faults"]
    put_in = faults.mesh.apply
    loop = asyncio.get_running_loop()

    def apply_after_halt(window: Any) -> str:
        asyncio.run_coroutine_threadsafe(alice["faults"].halt_all(ALICE, PAGER), loop).result(30)
        return str(put_in(window))

    faults.mesh.apply = apply_after_halt
    assert await bob["faults"].reconcile() == []
    after = api.stored("stage", "docs-api")
    assert after is not None and not [r for r in after["spec"]["http"] if "fault" in r]
    assert after["metadata"]["labels"] == untouched["metadata"]["labels"]  # type: ignore[index]
    (stored,) = (await alice["faults"].snapshot()).windows
    assert stored.end_reason == f"HALT ALL by alice: {PAGER}" and not stored.applied
    said = await outcome_of(alice, "fault-start", "watchfloor-reconcile")
    assert re.fullmatch(
        rf"refused: fault window {w.id} on stage/docs-api was already ended by alice at"
        rf" {TIME} \(HALT ALL: {re.escape(PAGER)}\): not started",
        said,
    ), said
    await alice.aclose()
    await bob.aclose()
