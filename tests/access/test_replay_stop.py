"""A long policy dry-run can be stopped. Before, its thread could not be: Esc closed the
dialog and it ran on to its end, and quitting waited for it (a 1,200-decision replay of a
slow candidate: about 15 s). Now Esc stops it, the dialog says "cancelled" and how far it
got (Esc again closes), and quitting stops it at its next decision."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from backends.clock import FrozenClock
from backends.policy import PolicyEngine
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tui.screens.replay import ReplayScreen

LIMIT = 1200
# ~10 ms an evaluation: 1,200 decisions take seconds
SLOW = """
package abac

import rego.v1

default allow := false

allow if {
	count([x | some x in numbers.range(1, 3000); x % 7 == 0]) > 0
	input.attrs.tenant == input.request.tenant
}
"""


class Evaluations:
    """Counts the candidate's evaluations."""

    def __init__(self, mp: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = PolicyEngine.evaluate

        def counted(engine: PolicyEngine, entrypoint: str, doc: Mapping[str, Any]) -> Any:
            self.count += 1
            return real(engine, entrypoint, doc)

        mp.setattr(PolicyEngine, "evaluate", counted)

    async def stopped_within(self, seconds: float) -> float | None:
        """How soon no evaluation came for 0.3 s (a thread still replaying makes one every
        ~10 ms), or None if they went on for `seconds`."""
        began = time.monotonic()
        while time.monotonic() - began < seconds:
            before = self.count
            await asyncio.sleep(0.3)
            if self.count == before:
                return time.monotonic() - began - 0.3
        return None


def write(path: Path, text: str) -> None:
    path.write_text(text)


def status(screen: ReplayScreen) -> str:
    return str(screen.query_one("#replay-status", Static).render())


async def start(pilot: Any, app: Any, cand: Path, evals: Evaluations) -> ReplayScreen:
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="the dry-run")
    screen = app.screen
    assert isinstance(screen, ReplayScreen)
    await pilot.press("home", "ctrl+k", *str(cand), "tab", "ctrl+u", *str(LIMIT), "enter")
    await wait_for(pilot, lambda: evals.count >= 20, what="the replay under way", within=10)
    return screen


async def test_esc_stops_a_long_dry_run_and_the_dialog_says_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cand = tmp_path / "slow.rego"
    await asyncio.to_thread(write, cand, SLOW)
    evals = Evaluations(monkeypatch)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await start(pilot, app, cand, evals)
        await pilot.press("escape")
        assert app.screen is screen  # still open: it says what became of the run
        await wait_for(pilot, lambda: "cancelled" in status(screen), what="cancelled", within=3)
        said = status(screen)
        assert "slow.rego: replayed " in said and f" of {LIMIT:,})" in said, said
        assert await evals.stopped_within(1.0) is not None
        stopped_at = evals.count
        assert stopped_at < LIMIT
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")
        await asyncio.sleep(0.3)
        assert evals.count == stopped_at  # nothing ran on


async def test_esc_before_the_decisions_are_read_cancels_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.access.test_replay_in_flight import HeldDecisions

    cand = tmp_path / "slow.rego"
    await asyncio.to_thread(write, cand, SLOW)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        held = HeldDecisions(monkeypatch, app.sources["access"], fail=None)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="the dry-run")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await pilot.press("home", "ctrl+k", *str(cand), "enter")
        await asyncio.wait_for(held.started.wait(), 5)
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: "cancelled before any decision was replayed" in status(screen),
            what="cancelled",
        )
        assert not screen.running and app.screen is screen


async def test_quitting_stops_a_long_dry_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cand = tmp_path / "slow.rego"
    await asyncio.to_thread(write, cand, SLOW)
    evals = Evaluations(monkeypatch)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await start(pilot, app, cand, evals)
        app.exit()
    took = await evals.stopped_within(3.0)
    assert took is not None and took < 1.0, f"still replaying after quit ({evals.count})"
    assert evals.count < LIMIT
