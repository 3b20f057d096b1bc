"""Every dialog shows its own keys on the bottom line. Under a form the dashboard's footer
showed `H HALT ALL faults`, `f Fault window`…, keys that are off while it is open (an H
goes into the focused field), and nothing said that Enter walks to the next field. `?` and
the palette left the dashboard's footer in view, its keys dead and their own Esc unsaid;
the revoke dialog did not say what Enter does."""

from __future__ import annotations

from typing import Any

import pytest
from textual.command import CommandPalette
from textual.screen import Screen

from tests.helpers import local_app, wait_for
from tui.footer import KeyFooter
from tui.screens.alerts import AlertsScreen
from tui.screens.denials import DenialsScreen
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.filter import FilterScreen
from tui.screens.grant import GrantScreen
from tui.screens.grant_details import GrantDetailsScreen
from tui.screens.halt import HaltScreen
from tui.screens.help import HelpScreen
from tui.screens.notes import NotesScreen
from tui.screens.rehearsal import RehearsalScreen
from tui.screens.revoke import RevokeScreen
from tui.screens.timeline import TimelineScreen

FORMS = [
    (("g",), GrantScreen, "⏎ Next field, submit after the last"),
    (("f",), FaultWindowScreen, "⏎ Next field, submit after the last"),
    (("H",), HaltScreen, "⏎ Next field, submit after the last"),
    (("4", "r"), RevokeScreen, "⏎ Next field, submit after the last"),
    (("R",), RehearsalScreen, "⏎ Next field, submit after the last"),
    (("3", "slash"), FilterScreen, "esc Cancel"),
    (("d",), DenialsScreen, "esc Close"),
    (("4", "enter"), GrantDetailsScreen, "r Revoke grant  esc Close"),
    (("question_mark",), HelpScreen, "esc/q/? Close"),
    (("ctrl+p",), CommandPalette, "⏎ Run  esc Close"),
    (("n",), NotesScreen, "esc/q/n Close"),  # each key that closes it
    (("t",), TimelineScreen, "esc/t/q Close"),
    (("A",), AlertsScreen, "esc/A/q Close"),
]


@pytest.mark.parametrize(("keys", "form", "shown"), FORMS)
async def test_a_dialog_shows_its_own_keys_not_the_dashboards(
    keys: tuple[str, ...], form: type[Screen[Any]], shown: str
) -> None:
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press(*keys)
        await wait_for(pilot, lambda: isinstance(app.screen, form), what=form.__name__)
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.query(KeyFooter)), what="its footer")
        footer = screen.query_one(KeyFooter)
        await pilot.pause()
        line = footer.render().plain
        assert shown in line
        assert "HALT ALL" not in line and "Quit" not in line
        assert footer.region.y == 29  # the bottom line, over the dashboard's footer
        if form is FilterScreen:  # one field: no "Next field"
            assert "tab" not in line
