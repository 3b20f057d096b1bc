"""Text from the data, kept from driving the terminal the dashboard draws on.

Rich and Textual drop BEL, BS, VT, FF and CR from text, but pass ESC and the other control
characters through to the terminal: a grant's reason stored with `ESC [ 1 A ESC [ 2 K`
moved the cursor and erased a line of the dialog, `ESC ] 0 ; ... BEL` retitled the window,
and a newline in a cell broke the timeline's layout. Two layers:

- what is built from the data (table cells, the details dialogs, the timeline's line,
  toasts) goes through `safe`: the characters shown as `\\x1b`, `⏎` (backends/text_safe.py);
- `SafeOutput`, mixed into the App, adds a line filter that drops any such character still
  in what a widget rendered (Rich counts them zero cells wide, so nothing moves): what no
  one escaped never reaches the terminal either.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.text import Span, Text
from textual.app import App
from textual.color import Color
from textual.filter import LineFilter
from textual.notifications import SeverityLevel

from backends.text_safe import UNSAFE, escaped, shown


def safe_text(text: Text) -> Text:
    """`text` with its unsafe characters shown, each in the style it had; itself if none."""
    plain = text.plain
    if not UNSAFE.search(plain):
        return text
    cuts = sorted({i for m in UNSAFE.finditer(plain) for i in (m.start(), m.end())})
    out = text.blank_copy()
    for piece in text.divide(cuts):
        if len(piece) == 1 and UNSAFE.fullmatch(piece.plain):
            seen = escaped(piece.plain)
            spans = [Span(0, len(seen), s.style) for s in piece.spans]
            piece = Text(seen, style=piece.style, spans=spans)
        out.append_text(piece)
    return out


def safe(value: str | Text) -> str | Text:
    """A str or a Text from the data, as it may be drawn (anything else: as it is)."""
    if isinstance(value, Text):
        return safe_text(value)
    return shown(value) if isinstance(value, str) else value


class DropControls(LineFilter):
    """Drops control characters from the text of rendered segments (not from Textual's own
    control segments). They are zero cells wide, so the line keeps its width."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(s.control is None and UNSAFE.search(s.text) for s in segments):
            return segments
        out = []
        for s in segments:
            if s.control is None and UNSAFE.search(s.text):
                s = Segment(UNSAFE.sub("", s.text), s.style)
                if not s.text:
                    continue
            out.append(s)
        return out


class SafeOutput(App[None]):
    """Mixed into WatchfloorApp: the filter above on every widget, and toasts shown safe
    (an error's message can quote a stored reason), keeping the lines they are made of,
    and not read as markup: "GET /docs/[id]" in a toast lost its "[id]"."""

    _drop_controls = DropControls()

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), self._drop_controls]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        message = "\n".join(map(shown, message.split("\n")))  # its own lines stay lines
        super().notify(
            message, title=shown(title), severity=severity, timeout=timeout, markup=markup
        )
