"""The policy dry-run closed (Esc) while it runs: what comes back afterwards, flips or a
failure, is a toast naming the candidate, as for the other dialogs (test_form_in_flight),
and nothing crashes. (Both went to the closed dialog and were lost without a word.)"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from backends.clock import FrozenClock
from backends.models import Decision
from tests.access.test_access_pilot import candidate_says
from tests.access.test_replay import CANDIDATE
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.test_form_in_flight import toasts
from tui.app import WatchfloorApp
from tui.screens.replay import ReplayScreen

LIMIT = 1200
BROKEN = "package abac\n\nallow if {\n"


class HeldDecisions:
    """Holds the access source's `recent_decisions` until `release`; then answers, or
    raises `fail` if given."""

    def __init__(self, mp: pytest.MonkeyPatch, src: Any, fail: Exception | None) -> None:
        self.started = asyncio.Event()
        self.open = asyncio.Event()
        real: Callable[[int], Awaitable[list[Decision]]] = src.recent_decisions

        async def held(limit: int) -> list[Decision]:
            self.started.set()
            await self.open.wait()
            if fail is not None:
                raise fail
            return await real(limit)

        mp.setattr(src, "recent_decisions", held)


async def run_and_close(
    pilot: Pilot[None], app: WatchfloorApp, candidate: Path, held: HeldDecisions
) -> None:
    """`p`, the candidate and the limit typed in, Enter, and Esc while it runs."""
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="the dry-run")
    await pilot.press("home", "ctrl+k", *str(candidate), "tab", "ctrl+u", *str(LIMIT), "enter")
    await asyncio.wait_for(held.started.wait(), 5)
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is app.main_screen, what="the dialog to close")
    assert any("still running" in t and candidate.name in t for t in toasts(app)), toasts(app)


async def test_flips_after_esc_are_shown_as_a_toast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cand = tmp_path / "candidate.rego"
    cand.write_text(CANDIDATE)
    app = local_app(FrozenClock(T0))  # a frozen simulation: the same decisions throughout
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        src = app.sources["access"]
        decisions = await src.recent_decisions(LIMIT)
        flips = sum(candidate_says(d) != d.allowed for d in decisions)
        assert flips
        held = HeldDecisions(monkeypatch, src, fail=None)
        await run_and_close(pilot, app, cand, held)
        held.open.set()
        expected = (
            f"Policy dry-run of candidate.rego: {flips:,} of {len(decisions):,} decisions"
            " would flip"
        )
        await wait_for(pilot, lambda: any(expected in t for t in toasts(app)), within=30)
        assert app.is_running and app.screen is app.main_screen


@pytest.mark.parametrize("why", ["source", "candidate"])
async def test_a_failure_after_esc_is_shown_as_a_toast(
    why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cand = tmp_path / "candidate.rego"
    cand.write_text(BROKEN if why == "candidate" else CANDIDATE)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        fail = ConnectionError("decision log store unreachable") if why == "source" else None
        held = HeldDecisions(monkeypatch, app.sources["access"], fail=fail)
        await run_and_close(pilot, app, cand, held)
        held.open.set()
        why_text = "cannot read recent decisions: " if why == "source" else f"{cand}:3:10: "
        expected = f"Policy dry-run of candidate.rego failed: {why_text}"
        await wait_for(pilot, lambda: any(expected in t for t in toasts(app)), within=30)
        assert app.is_running and app.screen is app.main_screen


async def test_a_second_dry_run_waits_for_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closed while it ran, then `p` again and Enter: the second run cancelled the first
    without a word (its thread ran on). Now the second is refused, saying why, and the
    first's outcome still comes."""
    cand = tmp_path / "candidate.rego"
    cand.write_text(CANDIDATE)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        held = HeldDecisions(monkeypatch, app.sources["access"], fail=None)
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
            lambda: any("Policy dry-run of candidate.rego:" in t for t in toasts(app)),
            within=30,
            what="the first run's outcome",
        )
