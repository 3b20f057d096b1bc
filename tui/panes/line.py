"""Line: a few lines of rich Text, drawn straight to strips, for the live summaries.

Summaries change every second. A Static re-parses and re-wraps its content for each
update and re-lays out the screen; that was a large share of an idle dashboard's CPU.
A Line renders each text line once per change into a cached strip, repaints only itself,
and asks for a layout pass only when its number of lines changes. It never wraps: a line
wider than the pane ends in "…", so the layout stays put however the numbers grow.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget


def _text(content: Text | str) -> Text:
    return content if isinstance(content, Text) else Text(content)


class Line(Widget):
    DEFAULT_CSS = """
    Line { height: auto; }
    """

    def __init__(
        self, content: Text | str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._text = _text(content)
        self._lines = self._text.split("\n", allow_blank=True)
        self._strips: dict[int, Strip] = {}

    @property
    def text(self) -> Text:
        return self._text

    def update(self, content: Text | str = "") -> None:
        text = _text(content)
        if text == self._text:
            return  # an unchanged line costs nothing
        before = len(self._lines)
        self._text = text
        self._lines = text.split("\n", allow_blank=True)
        self._strips.clear()
        self.refresh(layout=len(self._lines) != before)

    def render(self) -> Text:
        """The text shown (what `str()` of the widget's content gives, for tests)."""
        return self._text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max((line.cell_len for line in self._lines), default=0)

    def notify_style_update(self) -> None:
        self._strips.clear()
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        strip = self._strips.get(y)
        if strip is None or strip.cell_length != width:
            base = self.rich_style
            if y >= len(self._lines):
                return Strip.blank(width, base)
            line = self._lines[y]
            if line.cell_len > width:
                line = line.copy()
                line.truncate(max(0, width - 1))
                line.append("…")
            segments = list(Segment.apply_style(line.render(self.app.console), base))
            strip = Strip(segments).extend_cell_length(width, base)
            self._strips[y] = strip
        return strip
