"""Text with square brackets is shown as written, not read as Rich markup and eaten.

Before: the `?` help's third column header read "id for" ("[keys]", the config table its
ids go in, was taken for a style tag); a pane filtered on "[acme]" read "filter: ", the
timeline's "match ''", and a toast quoting "GET /docs/[id]" read "GET /docs/".
"""

from __future__ import annotations

from textual.widgets._toast import Toast

from tests.helpers import local_app, wait_for
from tui.app import WatchfloorApp
from tui.screens.filter import FilterScreen
from tui.screens.help import HelpScreen
from tui.screens.timeline import TimelineScreen


def painted(app: WatchfloorApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_the_help_says_which_ids_go_in_the_keys_table() -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.pause()
        assert "id for [keys]" in painted(app)


async def test_a_pane_filter_with_brackets_is_in_its_title_as_typed() -> None:
    app = local_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("3", "slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen), what="filter")
        await pilot.press(*"[acme]", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, FilterScreen), what="closed")
        await pilot.pause()
        assert "Access · ABAC deny rates · filter: [acme]" in painted(app)


async def test_the_timeline_title_shows_a_filter_with_brackets_as_typed() -> None:
    app = local_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="timeline")
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen), what="filter")
        await pilot.press(*"[x]", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="back")
        await pilot.pause()
        assert "match '[x]'" in painted(app)


async def test_a_toast_shows_brackets_as_written() -> None:
    """What toasts quote (an error's words, a route such as GET /docs/[id], a path) is not
    markup: no toast of the dashboard's is written in it."""
    app = local_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        app.notify("No p99.9 yet for GET /docs/[id]", title="Baseline")
        await wait_for(pilot, lambda: bool(app.screen.query(Toast)), what="the toast")
        await pilot.pause()
        assert "No p99.9 yet for GET /docs/[id]" in painted(app)
