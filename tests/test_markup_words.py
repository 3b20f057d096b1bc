"""Text from the data is not Rich markup. A policy file named `[x].rego` read as
".rego: replaying up to 1,000 decisions…" in the dry-run's status line (a name with a
closing tag raised MarkupError), and an actor named `[dave]` read "As . Never in …" in the
fault-window form's hint and "role (the policy lets  grant none)" in the grant form's
label. Now they are shown as they are (as tui/safe_text.py does for toasts)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import Label, Static

from backends.contracts import DecisionHistory
from backends.models import Decision
from tests.access.test_replay import CANDIDATE
from tests.access.test_replay_dialog import open_dry_run, status, write
from tests.helpers import SIZE, local_app, wait_for
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.grant import GrantScreen

ACTOR = "[dave]"


def hints(screen: object) -> str:
    return " ".join(str(s.render()) for s in screen.query(Static))  # type: ignore[attr-defined]


async def test_a_policy_file_named_in_brackets_is_named_as_it_is(tmp_path: Path) -> None:
    cand = write(tmp_path, "[x].rego", CANDIDATE)
    app = local_app()
    release = asyncio.Event()
    src = app.sources["access"]
    assert isinstance(src, DecisionHistory)
    read = src.recent_decisions

    async def held(limit: int = 1000) -> list[Decision]:
        await release.wait()  # the status line while the decisions are read
        return await read(limit)

    src.recent_decisions = held  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_dry_run(pilot, app)
        await pilot.press("home", "ctrl+k", *str(cand), "tab", "ctrl+u", *"50", "enter")
        await pilot.pause()
        assert status(screen) == "[x].rego: replaying up to 50 decisions…", status(screen)
        release.set()
        await wait_for(pilot, lambda: screen.report is not None, what="the report", within=30)
        assert status(screen).startswith("[x].rego: replayed 50 decisions"), status(screen)


async def test_an_actor_in_brackets_is_named_in_the_forms_hints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", ACTOR)
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        assert f"As {ACTOR}. Never in" in hints(app.screen), hints(app.screen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="grant form")
        screen = app.screen
        assert isinstance(screen, GrantScreen)
        assert f"As {ACTOR}. " in hints(screen), hints(screen)
        screen.set_roles(())  # the policy lets this actor grant none
        await pilot.pause()
        label = str(screen.query_one("#role-label", Label).render())
        assert label == f"role (the policy lets {ACTOR} grant none)", label
