"""NO_COLOR that stays readable.

With NO_COLOR set, Textual turns every colour into the grey of its luminance. Red is a dark
colour, so what the dashboard shows in red (a deny rate over its threshold, p99.9 over its
SLO, a failed stage, a CRIT alert) became grey 54 on the panes' grey 18: the most urgent
values were the hardest to read. This filter makes the same greys, then lifts text too
close to its background to a light grey (a dark one on a light background). Bold, the "!"
markers, the glyphs (✖ ✔) and the cursor's background still set things apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.filter import LineFilter, Monochrome, monochrome_style

MIN_CONTRAST = 0.25  # brightness apart (0-1): the theme's muted grey text stays as it is
LIGHT, DARK = Color(230, 230, 230), Color(24, 24, 24)


@lru_cache(4096)
def readable_style(style: Style, background: Color) -> Style:
    """`style` in greys, its text at least MIN_CONTRAST from its background."""
    mono = monochrome_style(style)
    if mono.color is None:  # the terminal's own foreground: readable on its own background
        return mono
    fg = Color.from_rich_color(mono.color)
    bg = Color.from_rich_color(mono.bgcolor) if mono.bgcolor else background.monochrome
    if abs(fg.brightness - bg.brightness) >= MIN_CONTRAST:
        return mono
    lifted = LIGHT if bg.brightness < 0.5 else DARK
    return mono + Style(color=lifted.rich_color)


class ReadableMonochrome(LineFilter):
    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, None if style is None else readable_style(style, background), None)
            for text, style, _ in segments
        ]


class ReadableNoColor(App[None]):
    """Mixed into WatchfloorApp: Textual's NO_COLOR filter, swapped for the one above."""

    _readable = ReadableMonochrome()

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [
            self._readable if isinstance(f, Monochrome) else f for f in super().get_line_filters()
        ]
