"""`?` names each key as the footer draws it (tui.footer.key_label), remapped keys too:
a function key, a ctrl key, the palette's."""

from __future__ import annotations

from tests.helpers import local_sources, wait_for
from tui.app import WatchfloorApp
from tui.footer import KeyFooter
from tui.screens.help import HelpScreen

KEYMAP = {"app.palette": "f3", "app.timeline": "f4", "app.report": "ctrl+r"}


async def test_help_names_keys_as_the_footer_draws_them() -> None:
    app = WatchfloorApp(local_sources(), keymap=KEYMAP)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        footer = app.screen.query_one(KeyFooter)
        footer.render()
        drawn = {d.description: d.display for d in footer.drawn}
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        assert isinstance(app.screen, HelpScreen)
        keys = {bid: key for _, key, _, bid in app.screen.rows}
        assert keys["app.palette"] == drawn["palette"] == "f3"
        assert keys["app.timeline"] == "f4" and keys["app.report"] == "^r"
        listed = {(desc, key) for _, key, desc, _ in app.screen.rows}
        for desc, display in drawn.items():  # every key the footer draws, named alike
            assert (desc, display) in listed, (desc, display)
