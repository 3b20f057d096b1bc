"""A policy dry-run stopped with Esc: its progress bar jumped to 100 % (the report's
replayed count was taken as the whole), though the status said "cancelled after 300 of
1,200". Now the bar stays where the run stopped. And q pressed while it runs replaced the
candidate's path with "q" (the path field kept the focus with its text selected, as a
field focused anew has it); now the path keeps what the user typed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import Input, ProgressBar

from backends.clock import FrozenClock
from tests.access.test_replay_stop import LIMIT, SLOW, Evaluations, start, status, write
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tui.screens.replay import ReplayScreen


async def test_a_cancelled_dry_runs_bar_shows_where_it_stopped(
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
        await wait_for(pilot, lambda: "cancelled" in status(screen), what="cancelled", within=3)
        await pilot.pause()
        report = screen.report
        assert report is not None and report.cancelled and report.replayed < LIMIT
        bar = screen.query_one(ProgressBar)
        assert bar.percentage is not None and bar.percentage < 1.0, bar.percentage
        assert (bar.progress, bar.total) == (report.replayed, report.available)
        assert f"cancelled after {report.replayed:,} of {LIMIT:,}" in status(screen)


async def test_q_while_a_dry_run_runs_leaves_the_policy_path_as_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`p` opens with the candidate last run, selected; Enter runs it again, and a q then
    went into the path field, over the selection: the path was "q"."""
    cand = tmp_path / "slow.rego"
    await asyncio.to_thread(write, cand, SLOW)
    evals = Evaluations(monkeypatch)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await start(pilot, app, cand, evals)  # the first run, typed in
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.running, what="stopped", within=3)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")
        await pilot.press("p")  # again: the path last run is in the field
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="the dry-run")
        again = app.screen
        assert isinstance(again, ReplayScreen)
        path = again.query_one("#replay-file", Input)
        assert path.value == str(cand)
        before = evals.count
        await pilot.press("enter")
        await wait_for(pilot, lambda: evals.count >= before + 20, what="the run", within=10)
        assert again.running
        await pilot.press("q", "x")
        await pilot.pause()
        assert path.value == str(cand)
        assert again.query_one("#replay-limit", Input).value == str(LIMIT)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not again.running, what="stopped", within=3)
        assert path.value == str(cand)
        assert again.focused is path  # back where it was, to edit the path or run again
        await pilot.press(*"x")  # typed after the path: nothing selected to replace
        assert path.value == f"{cand}x"
