"""The palette's "snapshot" finds the screenshot, not a baseline mark.

Before: ctrl+p, "snapshot", Enter marked a p99.9 baseline (kept 24 h for a restart):
"snapshot" was one of its search words and none of the screenshot's."""

from __future__ import annotations

from textual.command import CommandList

from tests.helpers import local_app, wait_for


async def test_snapshot_in_the_palette_is_the_screenshot() -> None:
    app = local_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("ctrl+p", *"snapshot")

        def found() -> list[str]:
            listed = app.screen.query(CommandList)
            return [str(o.prompt) for c in listed for o in c.options] if listed else []

        await wait_for(pilot, lambda: bool(found()), what="matches")
        await pilot.pause(0.3)  # every provider has answered
        titles = " | ".join(found())
        assert "Save SVG screenshot" in titles and "baseline" not in titles, titles
