"""A one-column scroll position marker for the Line API lists: the stock scrollbar is a
widget of its own and costs a repaint on every tick."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style


def thumb_cell(n: int, height: int, top: int, y: int, style: Style) -> Segment | None:
    """The marker's cell on line `y` of a `height`-line view of `n` rows scrolled to `top`,
    or None when everything fits (then the list uses the full width)."""
    if n <= height or height <= 0:
        return None
    size = max(1, height * height // n)
    start = min(height - size, top * height // n)
    return Segment("┃" if start <= y < start + size else " ", style)
