"""ctrl+s saves the screen with a dialog on it too: the denials list, a dry-run's result,
the alerts list are what goes into the incident channel.

Before: ctrl+s did nothing in any dialog (an app key, not a priority one, and a modal
screen takes the keys), while the palette there still offered "Save SVG screenshot (^s)"."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import local_app, wait_for
from tests.test_read_only import toasts
from tui.screens.denials import DenialsScreen


def saved(folder: Path, pattern: str) -> list[str]:
    """The text of the files saved in `folder` (as the SVG shows spaces, plain)."""
    return [p.read_text(encoding="utf-8").replace("&#160;", " ") for p in folder.glob(pattern)]


async def test_ctrl_s_in_a_dialog_saves_the_dialog(tmp_path: Path) -> None:
    app = local_app()
    app.screenshot_dir = tmp_path
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DenialsScreen), what="the list")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(t.startswith("Saved watchfloor-") for t in toasts(app)))
        (svg,) = saved(tmp_path, "watchfloor-*.svg")
        assert "denials" in svg
        assert isinstance(app.screen, DenialsScreen)  # still open
        await pilot.press(*"x")  # a letter still goes to the dialog's filter, not the report
        await pilot.pause()
        assert not saved(tmp_path, "gameday-*.md")
