"""The `f` form in a small terminal with no colour (NO_COLOR, an SSH session at 70x20 or
80x24): each field's placeholder is whole, and set apart from the next label.

Before: at 70x20 a placeholder filled its field to the edge, one space from the next
label: "▌e.g. docs-api namespace", "▌end if above guard errors %" read as one phrase.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, Label

from tests.helpers import local_app, wait_for
from tui.app import WatchfloorApp
from tui.fault_requests import LABELS
from tui.screens.fault_window import PLACEHOLDERS, FaultWindowScreen

RIGHT = ("namespace", "delay %", "abort %", "duration", "guard errors %")  # 3rd column


def painted(app: WatchfloorApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("size", [(70, 20), (80, 24)], ids=["70x20", "80x24"])
async def test_placeholders_are_whole_and_apart_from_the_next_label(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = local_app()
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        await pilot.pause()
        screen = app.screen
        for field in screen.query(Input):
            placeholder = PLACEHOLDERS[field.id or ""]
            if not field.value:  # the placeholder shows
                assert field.content_region.width >= len(placeholder), (field.id, field.region)
        lines = painted(app)
        for label in screen.query(Label):
            text = str(label.render())
            if text not in RIGHT:
                continue
            x, y = label.region.x, label.region.y
            line = lines[y]
            assert line[x : x + len(text)] == text, line
            assert line[x - 2 : x] == "  ", f"{text!r} runs into what is before it: {line!r}"
        assert set(RIGHT) <= set(LABELS.values())
