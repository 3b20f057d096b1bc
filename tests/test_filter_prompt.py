"""The `/` filter dialog's prompt is read whole: the pane's name and the hint fit its box."""

from __future__ import annotations

from textual.widgets import Label

from tests.helpers import local_app, wait_for
from tui.screens.filter import FilterScreen


async def test_the_filter_prompt_of_the_longest_pane_name_is_not_cut() -> None:
    app = local_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4", "slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen), what="filter")
        label = app.screen.query_one(Label)
        lines = str(label.render()).splitlines()
        assert lines[0] == "Filter Break-glass grants", lines
        assert "empty clears" in lines[-1], lines
        width = label.content_region.width
        assert all(len(line) <= width for line in lines), (lines, width)
