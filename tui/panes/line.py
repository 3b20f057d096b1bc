"""A Static that repaints only when its text changes, and re-lays out the screen only when
its number of lines changes. Live summaries update every second; a full layout pass each
time would cost most of an idle dashboard's CPU."""

from __future__ import annotations

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static


def _lines(content: object) -> int:
    if isinstance(content, Text):
        return content.plain.count("\n") + 1
    if isinstance(content, str):
        return content.count("\n") + 1
    return -1  # unknown renderable: assume the size may change


class Line(Static):
    _last: object = None

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        if content == self._last:
            return
        same_height = _lines(content) == _lines(self._last) != -1
        self._last = content
        super().update(content, layout=layout and not same_height)
