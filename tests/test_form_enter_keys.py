"""A form's Enter follows [keys] as its Esc does. Only the revoke dialog's Enter had an id
(`revoke.enter`): the grant, fault window, HALT ALL and rehearsal forms' could not be
moved, and `"grant.enter" = "f2"` was refused as no such binding id. The policy dry-run
said "Enter runs the replay." whatever key ran it, and `?` said "Ctrl+P opens the command
palette" whatever opened it. Now each form's Enter has an id, its footer shows the key,
the field's own Enter still walks and submits, and those texts say the key [keys] gives."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Static

from tests.helpers import SIZE, local_sources, wait_for
from tests.test_dialog_placeholders import dialog_classes
from tests.test_form_in_flight import FORMS, Gate
from tui.app import WatchfloorApp
from tui.footer import KeyFooter
from tui.screens.form import RequestModal
from tui.screens.halt import HaltScreen
from tui.screens.replay import ReplayScreen


def test_every_forms_enter_has_a_binding_id() -> None:
    forms = [cls for cls in dialog_classes() if issubclass(cls, RequestModal)]
    assert len(forms) >= 6  # grant, fault window, HALT ALL, rehearsal, revoke, end
    for cls in forms:
        (enter,) = cls._merge_bindings().key_to_bindings["enter"]
        assert enter.id and enter.show, cls.__name__


@pytest.mark.parametrize("name", list(FORMS))
async def test_a_forms_enter_moved_in_keys_walks_and_submits_and_its_footer_says_so(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, dialog, cap, action, typed, _ = FORMS[name]
    app = WatchfloorApp(local_sources(), keymap={f"{name}.enter": "f2"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        gate = Gate(monkeypatch, app.sources[cap], action, refuse=True)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, dialog), what=name)
        await pilot.pause()
        line = app.screen.query_one(KeyFooter).render().plain
        assert "f2 Next field, submit after the last" in line, line
        first, *rest = typed
        await pilot.press("home", "ctrl+k", *str(first), "enter")  # the field's own Enter
        for text in rest:
            keys = [] if text is None else ["home", "ctrl+k", *text]
            await pilot.press(*keys, "f2")
        await asyncio.wait_for(gate.started.wait(), 5)  # submitted by f2
        gate.open.set()


async def test_a_refused_form_says_its_moved_enter_sends_again() -> None:
    app = WatchfloorApp(local_sources(), keymap={"halt.enter": "f2"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT ALL")
        await pilot.press(*"pager fired", "f2", *"halt", "f2")  # not in capitals: refused
        said = str(app.screen.query_one("#halt-error", Static).render())
        assert said == "type HALT (in capitals) to confirm · f2 sends again", said


def status(screen: ReplayScreen) -> str:
    return str(screen.query_one("#replay-status", Static).render())


async def test_the_dry_run_names_its_run_key_as_remapped() -> None:
    app = WatchfloorApp(local_sources(), keymap={"replay.run": "f2"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="the dry-run")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await pilot.pause()
        assert status(screen) == "f2 runs the replay.", status(screen)
        assert "f2 Run replay" in screen.query_one(KeyFooter).render().plain
        await pilot.press("f2")
        await wait_for(pilot, lambda: screen.report is not None, within=30, what="the report")


async def test_help_names_the_palette_key_as_remapped() -> None:
    app = WatchfloorApp(local_sources(), keymap={"app.palette": "f6"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: len(app.screen_stack) == 2, what="help")
        about = str(app.screen.query_one("#help-about", Static).render())
        assert "f6 opens the command palette" in about and "Ctrl+P" not in about, about
        await pilot.press("escape", "f6")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "Palette", what="palette")
