"""Line: a few lines of rich Text, drawn straight to strips, for the live summaries.

Summaries change every second. A Static re-parses and re-wraps its content for each
update and re-lays out the screen; that was a large share of an idle dashboard's CPU.
A Line renders each text line once per change into a cached strip, repaints only itself,
and asks for a layout pass only when its number of lines changes. It never wraps: a line
wider than the pane ends in "…", so the layout stays put however the numbers grow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from tui.panes.cells import text_segments
from tui.safe_text import safe_text


def _text(content: Text | str) -> Text:
    return content if isinstance(content, Text) else Text(content)


def _lines(text: Text) -> list[Text]:
    """Its lines, with any other control character from the data shown (tui/safe_text.py)."""
    return [safe_text(line) for line in text.split("\n", allow_blank=True)]


class Line(Widget):
    DEFAULT_CSS = """
    Line { height: auto; }
    """

    def __init__(
        self, content: Text | str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._text = _text(content)
        self._lines = _lines(self._text)
        self._strips: dict[int, Strip] = {}

    @property
    def text(self) -> Text:
        return self._text

    def update(self, content: Text | str = "") -> None:
        before = len(self._lines)
        if self._set_text(_text(content)):
            self.refresh(layout=len(self._lines) != before)

    def _set_text(self, text: Text) -> bool:
        """Take a new text without asking for a repaint; False when it is unchanged."""
        if text == self._text:
            return False  # an unchanged line costs nothing
        self._text = text
        self._lines = _lines(text)
        self._strips.clear()
        return True

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
            segments = text_segments(line, base, self.app.console)
            strip = Strip(segments).extend_cell_length(width, base)
            self._strips[y] = strip
        return strip


class SizedLine(Line):
    """A Line whose text depends on its size (`draw`), drawn when painted: the first frame
    has it although the size is only known then, and a resize needs no second layout.
    Give it a fixed height in CSS; `redraw()` after the data behind `draw` changes."""

    _drawn: tuple[int, int] | None = None  # the size last drawn for

    def draw(self, width: int, height: int) -> Text:
        raise NotImplementedError

    def redraw(self) -> None:
        self._drawn = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        size = (self.size.width, self.size.height)
        if size != self._drawn:
            self._drawn = size
            self._set_text(self.draw(*size))
        return super().render_line(y)

    def render(self) -> Text:
        """What is drawn at the current size (for tests and `str()`)."""
        return self.draw(self.size.width, self.size.height)


def fit(forms: Sequence[Text], width: int) -> Text:
    """The first of `forms` (longest and fullest first) that fits `width` cells, else the
    last (which a Line ends in "…")."""
    for text in forms:
        if text.cell_len <= width:
            return text
    return forms[-1] if forms else Text()


class FitLine(SizedLine):
    """One line made for its width by the function pushed in with `show` (typically `fit`
    over a line's forms), drawn when painted: the first frame and a resize need nothing
    more, and a push that changes nothing at the width drawn costs no repaint."""

    _make: Callable[[int], Text] | None = None

    def show(self, make: Callable[[int], Text]) -> None:
        self._make = make
        if self._drawn is None:
            self.refresh()  # not painted yet: drawn then
        else:
            self.update(make(self._drawn[0]))  # a new size since is redrawn when painted

    def draw(self, width: int, height: int) -> Text:
        return self._make(width) if self._make is not None else Text()


class FlowLine(FitLine):
    """A FitLine whose text for a width may take several lines (what does not fit beside
    the figures goes below), or, with `wrap`, is word-wrapped to the width: its height is
    that of its text at its width, so nothing is cut at 80 columns."""

    DEFAULT_CSS = """
    FlowLine { height: auto; }
    """

    def __init__(
        self, *, wrap: bool = False, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__("", id=id, classes=classes)
        self.wrap = wrap

    def show(self, make: Callable[[int], Text]) -> None:
        self._make = make
        if self._drawn is None:
            self.refresh(layout=True)  # not painted yet: its height is its text's
        else:
            self.update(self.draw(*self._drawn))

    def draw(self, width: int, height: int) -> Text:
        text = super().draw(width, height)
        if not self.wrap or width <= 0 or text.cell_len <= width:
            return text
        return Text("\n").join(text.wrap(self.app.console, width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.draw(width, 0).split("\n", allow_blank=True))
