"""NO_COLOR: the greys stay readable. Textual's monochrome made the dashboard's red (a deny
rate over threshold, p99.9 over SLO, CRIT) grey 54 on the panes' grey 18."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import Monochrome
from textual.geometry import Region

from backends.clock import FrozenClock
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tui.no_color import MIN_CONTRAST, ReadableMonochrome

PANE_BG = Color(18, 18, 18)


def contrast(seg: Segment, background: Color) -> float:
    assert seg.style is not None and seg.style.color is not None
    fg = Color.from_rich_color(seg.style.color)
    bg = Color.from_rich_color(seg.style.bgcolor) if seg.style.bgcolor else background
    return abs(fg.brightness - bg.brightness)


def test_red_text_is_lifted_muted_grey_is_kept_light_backgrounds_get_dark_text() -> None:
    red = [Segment("21.7%", Style.parse("bold red"))]
    (textual_grey,) = Monochrome().apply(red, PANE_BG)
    assert contrast(textual_grey, PANE_BG) < MIN_CONTRAST  # what NO_COLOR looked like
    (ours,) = ReadableMonochrome().apply(red, PANE_BG)
    assert contrast(ours, PANE_BG) >= MIN_CONTRAST and ours.style and ours.style.bold
    muted = [Segment("2m ago", Style.parse("grey62"))]
    assert ReadableMonochrome().apply(muted, PANE_BG) == Monochrome().apply(muted, PANE_BG)
    on_light = [Segment("ok", Style.parse("#ffd700 on #ffffff"))]
    (dark,) = ReadableMonochrome().apply(on_light, Color(255, 255, 255))
    assert contrast(dark, Color(255, 255, 255)) >= MIN_CONTRAST
    assert dark.style and dark.style.color and dark.style.color.triplet
    assert sum(dark.style.color.triplet) < 3 * 128  # dark text on the light background


async def test_with_no_color_every_coloured_value_on_the_dashboard_is_readable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.pause(0.2)
        assert any(isinstance(f, ReadableMonochrome) for f in app.get_line_filters())
        checked = 0
        for widget in app.screen.query("*"):  # the five panes, the alert strip, header, footer
            if not widget.display or not widget.size.area:
                continue
            bg = widget.background_colors[1]
            crop = Region(0, 0, widget.size.width, widget.size.height)
            for seg in (seg for strip in widget.render_lines(crop) for seg in strip):
                if seg.text.strip() and seg.style and seg.style.color:
                    checked += 1
                    assert contrast(seg, bg) >= MIN_CONTRAST, (widget, seg)
        assert checked > 100
