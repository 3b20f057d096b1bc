"""The dashboard's footer as the operator meets it: HALT ALL and the focused pane's keys
first at 80 columns, the same keys under a dialog, a click on a key, a narrow terminal."""

from __future__ import annotations

from tests.helpers import SIZE, local_app, wait_for
from tui.footer import KeyFooter
from tui.screens.grant import GrantScreen


async def test_footer_shows_halt_all_and_the_focused_panes_keys_first() -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        footer = app.query_one(KeyFooter)

        def drawn() -> list[str]:
            return [k.description for k in footer.drawn]

        await wait_for(pilot, lambda: "HALT ALL faults" in drawn(), what="HALT ALL at 80 cols")
        assert drawn()[:3] == ["Quit", "Help", "HALT ALL faults"]
        assert drawn()[-1] == "palette"
        assert "…" in footer.render().plain  # more keys than fit: says so
        await pilot.press("4")  # the grants pane's keys (the app's r and g), first after those
        await wait_for(pilot, lambda: drawn()[3] == "Revoke grant", what="the revoke key")
        await pilot.press("3")
        await wait_for(pilot, lambda: drawn()[3] != "Revoke grant", what="revoke moved")
        # the access pane's keys are the app's (d, p): they came after Quit, Help, HALT
        # ALL, f, e, g, a, A and were cut at 80 columns; now the focused pane's come first
        pane_keys = ["Denials", "Policy dry-run"]
        await wait_for(pilot, lambda: drawn()[3:5] == pane_keys, what="d p")
        assert drawn()[:3] == ["Quit", "Help", "HALT ALL faults"]  # at 80 columns still
        await pilot.press("5")
        await wait_for(pilot, lambda: drawn()[3] == "Release notes", what="n after those")
        await pilot.press("1")
        await wait_for(pilot, lambda: drawn()[3] == "Mark baseline", what="b after those")


async def test_the_footer_under_a_dialog_keeps_the_keys_it_showed() -> None:
    """The main screen's keys that open dialogs are off while one is open (priority
    bindings); redrawn under the dialog (dimmed), the footer still shows them as they were
    rather than a shorter list that leaves HALT ALL out."""
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        footer = app.query_one(KeyFooter)
        await wait_for(pilot, lambda: "HALT ALL faults" in footer.render().plain, what="keys")
        before = footer.render().plain
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: len(app.screen_stack) == 2, what="the help")
        footer.refresh()
        await pilot.pause()
        assert footer.render().plain == before
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the help closed")
        assert footer.render().plain == before


async def test_a_click_on_a_footer_key_presses_it() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        footer = app.query_one(KeyFooter)
        await wait_for(pilot, lambda: bool(footer.drawn), what="footer keys")
        x = footer.render().plain.index(" g Grant access ") + 2
        await pilot.click(KeyFooter, offset=(x, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="the grant form")


async def test_a_footer_too_narrow_for_the_palette_key_keeps_quit() -> None:
    app = local_app()
    async with app.run_test(size=(20, 10)) as pilot:
        footer = app.query_one(KeyFooter)
        await wait_for(pilot, lambda: bool(footer.drawn), what="footer keys")
        assert [k.description for k in footer.drawn] == ["Quit", "Help"]
        assert footer.render().plain == " q Quit  ? Help  …  "
