"""The command palette has every action, each showing its key as the footer and `?` do,
from the binding (a key remapped in [keys] shows as remapped). "All alerts" (A) was
missing; `(a)` and `(x)` were written into the help texts by hand while `b`, `n`, `R` and
ctrl+s showed none; Textual's own "Screenshot" duplicated ours and failed, and its "Keys"
panel listed the mutating keys in read-only mode."""

from __future__ import annotations

import re

from textual.binding import Binding

from tests.helpers import SIZE, local_app, local_sources, wait_for
from tests.palette_helpers import open_all, run_command
from tui.app import WatchfloorApp
from tui.screens.alerts import AlertsScreen
from tui.screens.help import HelpScreen

HINT = re.compile(r"\(([^()]+)\)$")  # the key, last in the help text: "… (g)"
NO_KEY = {"Theme", "Maximize", "Minimize"}  # Textual's, kept: they work and have no key


def hint(help_text: str) -> str | None:
    found = HINT.search(help_text)
    return found.group(1) if found else None


def dashboard_bindings(app: WatchfloorApp) -> list[Binding]:
    """The app's own bindings, and the panes' shown ones that run an app action (`r`
    revoke; Enter on a row, hidden, opens that row's details: no palette entry)."""
    found = [b for b in WatchfloorApp.BINDINGS if isinstance(b, Binding) and b.description]
    for node in app.main_screen.walk_children():
        for bindings in node._bindings.key_to_bindings.values():
            found += [b for b in bindings if b.action.startswith("app.") and b.show]
    return found


async def test_every_key_of_the_dashboard_has_a_palette_entry_showing_it() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        listed = await open_all(pilot)
        hints = [hint(text) for _, text in listed]
        for b in dashboard_bindings(app):
            key = app.get_key_display(b)
            assert hints.count(key) == 1, f"{b.id} ({b.description}): {key!r} in {hints}"
        keyless = {title for title, text in listed if hint(text) is None}
        assert keyless <= NO_KEY, keyless  # every other entry says its key, the same way
        titles = [title for title, _ in listed]
        assert "All alerts" in titles and "Theme" in titles
        assert "Screenshot" not in titles and "Keys" not in titles  # Textual's
        assert titles.count("Quit") == 1 and titles.count("Save SVG screenshot") == 1


async def test_a_remapped_key_shows_as_remapped_in_the_palette() -> None:
    app = WatchfloorApp(local_sources(), keymap={"app.timeline": "T", "grants.revoke": "X"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        shown = {title: hint(text) for title, text in await open_all(pilot)}
        assert shown["Timeline"] == "T"
        assert shown["Revoke selected grant"] == "X"
        assert shown["Export game-day report"] == "x"


async def test_the_read_only_palette_shows_no_mutating_key() -> None:
    app = WatchfloorApp(local_sources(), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        listed = await open_all(pilot)
        assert {hint(text) for _, text in listed} & {"g", "r", "f", "e", "H", "R"} == set()
        assert "Keys" not in [title for title, _ in listed]  # Textual's panel listed them


async def test_all_alerts_and_help_run_from_the_palette() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await run_command(pilot, "All alerts")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="all alerts")
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="closed")
        await run_command(pilot, "Help")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
