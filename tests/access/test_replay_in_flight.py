"""The policy dry-run closed while it runs: Esc stops a run, and Esc again while the stop
is still under way (a source still answering the read of its decisions) closes the
dialog. What comes back afterwards, a failure or the cancellation, is a toast naming the
candidate, as for the other dialogs (test_form_in_flight), and nothing crashes. (Both
went to the closed dialog and were lost without a word.) Stopping itself:
test_replay_stop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from backends.clock import FrozenClock
from backends.models import Decision
from tests.access.test_replay import CANDIDATE
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.test_form_in_flight import toasts
from tui.app import WatchfloorApp
from tui.screens.replay import ReplayScreen

LIMIT = 1200


class HeldDecisions:
    """Holds the access source's `recent_decisions` until `release`; then answers, or
    raises `fail` if given. `stubborn`: a read that a cancellation does not stop (it
    answers when released all the same), so the stop stays under way until then."""

    def __init__(
        self, mp: pytest.MonkeyPatch, src: Any, fail: Exception | None, stubborn: bool = False
    ) -> None:
        self.started = asyncio.Event()
        self.open = asyncio.Event()
        real: Callable[[int], Awaitable[list[Decision]]] = src.recent_decisions

        async def held(limit: int) -> list[Decision]:
            self.started.set()
            while not self.open.is_set():
                try:
                    await self.open.wait()
                except asyncio.CancelledError:
                    if not stubborn:
                        raise
            if fail is not None:
                raise fail
            return await real(limit)

        mp.setattr(src, "recent_decisions", held)


async def run_and_close(
    pilot: Pilot[None], app: WatchfloorApp, candidate: Path, held: HeldDecisions
) -> None:
    """`p`, the candidate and the limit typed in, Enter, and Esc twice while it runs: the
    first stops it, the second closes the dialog while the stop is under way."""
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="the dry-run")
    screen = app.screen
    await pilot.press("home", "ctrl+k", *str(candidate), "tab", "ctrl+u", *str(LIMIT), "enter")
    await asyncio.wait_for(held.started.wait(), 5)
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is screen and "stopping" in str(screen.query_one("#replay-status").render())
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is app.main_screen, what="the dialog to close")
    assert any("still stopping" in t and candidate.name in t for t in toasts(app)), toasts(app)


async def test_a_run_stopped_and_closed_says_cancelled_in_a_toast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cand = tmp_path / "candidate.rego"
    cand.write_text(CANDIDATE)
    app = local_app(FrozenClock(T0))  # a frozen simulation: the same decisions throughout
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        held = HeldDecisions(monkeypatch, app.sources["access"], fail=None, stubborn=True)
        await run_and_close(pilot, app, cand, held)
        held.open.set()
        expected = "Policy dry-run of candidate.rego: cancelled before any decision was replayed"
        await wait_for(pilot, lambda: any(expected in t for t in toasts(app)), within=30)
        assert not any("would flip" in t for t in toasts(app))  # nothing was replayed
        assert app.is_running and app.screen is app.main_screen


async def test_a_failure_after_close_is_shown_as_a_toast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cand = tmp_path / "candidate.rego"
    cand.write_text(CANDIDATE)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        fail = ConnectionError("decision log store unreachable")
        held = HeldDecisions(monkeypatch, app.sources["access"], fail=fail, stubborn=True)
        await run_and_close(pilot, app, cand, held)
        held.open.set()
        expected = "Policy dry-run of candidate.rego failed: cannot read recent decisions: "
        await wait_for(pilot, lambda: any(expected in t for t in toasts(app)), within=30)
        assert app.is_running and app.screen is app.main_screen


async def test_a_second_dry_run_waits_for_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closed while it was stopping, then `p` again and Enter: the second run cancelled the
    first without a word (its thread ran on). Now the second is refused, saying why, and
    the first's outcome still comes."""
    cand = tmp_path / "candidate.rego"
    cand.write_text(CANDIDATE)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        held = HeldDecisions(monkeypatch, app.sources["access"], fail=None, stubborn=True)
        await run_and_close(pilot, app, cand, held)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="again")
        screen = app.screen
        await pilot.press("home", "ctrl+k", *str(cand), "enter")
        await wait_for(
            pilot,
            lambda: (
                "candidate.rego is still running"
                in str(screen.query_one("#replay-status").render())
            ),
            what="the second run refused",
        )
        held.open.set()
        await wait_for(
            pilot,
            lambda: any("candidate.rego: cancelled" in t for t in toasts(app)),
            within=30,
            what="the first run's outcome",
        )
