"""RowCursor: the row cursor the panes' lists share (KeyedTable, GrantList), always on a
row in view.

What is highlighted is what `e`, `r` and Enter act on, so it is never off screen: the
mouse wheel scrolls the rows and the cursor stays inside the rows shown (on the first or
the last of them, as in k9s or htop); a key that moves the cursor scrolls its row into
view; and focusing the list (1-5, a click) or resizing it brings the cursor row back into
view if it was not. (Before, the wheel scrolled the rows away from the cursor, and `e`
ended a window above the rows shown.)

As new rows come in, a row picked (keys, a click: `pick`) is followed through re-sorts;
until then the cursor stays on the first row, so a live sorted list keeps its top row
(the worst key, the grant that expires first) under the cursor. A picked row that goes
leaves the cursor where it was, on the row that took its place (or the last row): a
neighbour, never a jump to the top (`place_cursor`).
"""

from __future__ import annotations

from typing import ClassVar

from textual.reactive import var
from textual.scroll_view import ScrollView


class RowCursor(ScrollView):
    """A scrolled list of rows, one line each, under HEADER_LINES lines that stay put."""

    HEADER_LINES: ClassVar[int] = 0  # KeyedTable: its column titles
    cursor: var[int] = var(0, init=False)

    _top = 0  # the first row shown (scroll_y)
    picked = False  # a row was picked (keys, a click): it is followed as the rows re-sort

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def rows_in_view(self) -> int:
        """How many rows the list shows at its height (at least one)."""
        return max(1, self.size.height - self.HEADER_LINES)

    def show_cursor(self) -> None:
        """Scroll the cursor row into view (no scroll if it is in view). Forced: rows just
        pushed in count at once, not after the next layout allows scrolling (the cursor's
        row, pushed down by rows coming in above it, was left below the bottom)."""
        rows = self.rows_in_view()
        if self.cursor < self._top:
            self.scroll_to(y=self.cursor, animate=False, force=True)
        elif self.cursor >= self._top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, force=True)

    def pick(self, index: int) -> None:
        """Put the cursor on row `index` (kept within the rows) and follow that row."""
        self.picked = True
        self.cursor = max(0, min(index, self.row_count - 1))

    def place_cursor(self, index: int | None) -> None:
        """After new rows were pushed in: `index` is where the cursor's row is now (None:
        gone). A picked row is followed there; otherwise the cursor keeps its place (the
        first row, untouched), within the rows."""
        if self.picked and index is not None:
            self.cursor = index
        else:
            self.cursor = max(0, min(self.cursor, self.row_count - 1))

    def repaint_rows(self, *indexes: int) -> None:
        """Repaint these rows (the cursor left one and is on the other)."""

    def watch_cursor(self, old: int, new: int) -> None:
        self.show_cursor()
        self.repaint_rows(old, new)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        self._top = round(new_value)
        super().watch_scroll_y(old_value, new_value)
        # scrolled by the wheel: the cursor follows, to the nearest row in view. (A key
        # that moved the cursor scrolled to it: it is in view, and stays where it is.)
        n = self.row_count
        if n and self.size.height > self.HEADER_LINES:
            last = min(n - 1, self._top + self.rows_in_view() - 1)
            cursor = max(min(self._top, last), min(self.cursor, last))
            if cursor != self.cursor:  # the row the wheel brought it to is followed
                self.picked = True
                self.cursor = cursor

    def action_cursor(self, delta: int) -> None:
        if self.row_count:
            self.pick(self.cursor + delta)

    def action_page(self, direction: int) -> None:  # a page, less the row kept in view
        self.action_cursor(direction * max(1, self.rows_in_view() - 1))

    def action_jump(self, where: int) -> None:
        if self.row_count:
            self.pick(where if where >= 0 else self.row_count - 1)

    def on_focus(self) -> None:  # 1-5 or a click: the cursor row is on screen
        self.show_cursor()

    def on_resize(self) -> None:  # smaller, the cursor row may have gone below
        self.show_cursor()
