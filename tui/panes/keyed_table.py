"""KeyedTable: the panes' table, a light Line API widget fed keyed rows.

Why not DataTable: a live pane changes a few cells every second, and DataTable re-renders
every visible cell of every row (and relays out) for it; that was most of an idle
dashboard's CPU. Here the app pushes `key -> cells` with `set_rows`; the table diffs them
against what it shows, renders each changed row once into a cached strip, and repaints
only the lines whose row changed. Nothing is cleared and rebuilt: the cursor stays on the
same row key, and the scroll position is kept.

Column widths follow the content (capped per column). A row wider than the pane is cut at
the border, and the header shows `▸` there: ← and → (h, l) scroll the columns after the
first sideways (`◂` marks hidden ones). The header stays put while the rows scroll. `/`
filters: `row_filter` keeps the rows whose text contains it. Keys act in order (OwnKeys).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from tui.own_keys import OwnKeys
from tui.panes import cells
from tui.panes.cells import Cell, Column, Row
from tui.panes.row_cursor import RowCursor
from tui.panes.thumb import thumb_cell
from tui.safe_text import safe

__all__ = ["Cell", "Column", "KeyedTable", "Row"]  # Column: how panes declare columns


class KeyedTable(OwnKeys, RowCursor, can_focus=True):
    """Rows by key, one line each, with a header line and a row cursor (always on a row
    in view: RowCursor)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.pagedown"),
        Binding("home", "jump(0)", "First", show=False, id="table.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Select", show=False, id="table.select"),
        Binding("left,h", "columns(-1)", "Columns left", show=False, id="table.left"),
        Binding("right,l", "columns(1)", "Columns right", show=False, id="table.right"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "keyed-table--header",
        "keyed-table--cursor",
        "keyed-table--even",
        "keyed-table--thumb",
    }
    DEFAULT_CSS = """
    KeyedTable {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 0;  /* its own one-column thumb: the stock bar costs a tick */
    }
    KeyedTable > .keyed-table--header { text-style: bold; color: $text-accent; }
    KeyedTable > .keyed-table--cursor { background: $accent 40%; text-style: bold; }
    KeyedTable:blur > .keyed-table--cursor { background: $accent 15%; text-style: none; }
    /* 8 or 16 colours: an ANSI colour has no 40%, and a green bar hid red text */
    KeyedTable:ansi > .keyed-table--cursor { background: ansi_default; text-style: bold reverse; }
    KeyedTable:ansi:blur > .keyed-table--cursor { background: ansi_default; text-style: underline; }
    KeyedTable > .keyed-table--even { background: $surface-lighten-1 30%; }
    KeyedTable > .keyed-table--thumb { color: $primary; }
    """

    HEADER_LINES = 1

    class Selected(Message):
        """Enter on a row: `key` is the row's key."""

        def __init__(self, table: KeyedTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> KeyedTable:
            return self.table

    def __init__(
        self, *columns: Column | str, id: str | None = None, zebra_stripes: bool = False
    ) -> None:
        super().__init__(id=id)
        self.columns: tuple[Column, ...] = tuple(
            c if isinstance(c, Column) else Column(c) for c in columns
        )
        self.zebra_stripes = zebra_stripes
        self._all: dict[str, Row] = {}  # every row pushed, before the filter
        self._rows: dict[str, Row] = {}  # what is shown, in order
        self._keys: list[str] = []
        self._filter = ""
        self._widths = [cell_len(c.label) for c in self.columns]
        self._strips: dict[tuple[str, int], Strip] = {}  # (key, style variant) -> line
        self._header: Strip | None = None
        self._header_for = (0, 0)  # (width, text_width) it was drawn for
        self._styles: dict[str, Style] | None = None
        self._top = 0
        self._skip = 0  # columns scrolled out of view to the left (the first one stays)

    # --- attributes down --------------------------------------------------------------

    @property
    def row_filter(self) -> str:
        return self._filter

    @row_filter.setter
    def row_filter(self, text: str) -> None:
        if text != self._filter:
            self._filter = text
            self.set_rows(self._all)

    def set_rows(self, rows: Mapping[str, Sequence[Cell]]) -> None:
        """Show `rows` (key -> cells) in the mapping's order; repaint only what changed. A
        control character in a cell (from the data) is shown as such (tui/safe_text.py)."""
        self._all = {k: tuple(map(safe, v)) for k, v in rows.items()}
        shown = self._all
        if self._filter:
            flt, text = self._filter.casefold(), cells.plain
            shown = {k: v for k, v in shown.items() if flt in " ".join(map(text, v)).casefold()}
        selected = self.selected_key
        old_keys, old_rows = self._keys, self._rows
        self._rows, self._keys = shown, list(shown)
        if len(self._keys) != len(old_keys):  # first: the cursor scrolls within these rows
            self.virtual_size = Size(0, len(self._keys) + 1)
        changed = {k for k, v in shown.items() if old_rows.get(k) != v}
        for key in changed | (old_rows.keys() - shown.keys()):
            self._forget(key)
        widths = cells.measure(self.columns, self._rows.values())
        relayout = widths != self._widths
        self._widths = widths
        if relayout:
            self._strips.clear()
            self._header = None
        at = None  # where the picked row is now
        if self.picked and selected is not None and selected in shown:
            at = self._keys.index(selected)
        self.place_cursor(at)
        sized = self.styles.height if len(self._keys) != len(old_keys) else None
        if sized is not None and sized.is_auto:
            self.refresh(layout=True)  # `height: auto` follows the number of rows
        if relayout or self._keys != old_keys:
            self.refresh()
            return
        width, height = self.size
        for i in range(self._top, min(len(self._keys), self._top + height - 1)):
            if self._keys[i] in changed:
                self.refresh(Region(0, i - self._top + 1, width, 1))

    def _forget(self, key: str) -> None:
        for variant in range(4):
            self._strips.pop((key, variant), None)

    # --- what tests and panes read ------------------------------------------------------

    @property
    def rows(self) -> Mapping[str, Row]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._keys)

    def get_row(self, key: str) -> list[Cell]:
        return list(self._rows[key])

    def get_cell(self, key: str, column: str) -> Cell:
        """The cell of row `key` under the column labelled `column`."""
        i = next(n for n, c in enumerate(self.columns) if c.label == column)
        return self._rows[key][i]

    def get_row_at(self, index: int) -> list[Cell]:
        return list(self._rows[self._keys[index]])

    @property
    def cursor_row(self) -> int:
        return self.cursor

    @property
    def selected_key(self) -> str | None:
        return self._keys[self.cursor] if 0 <= self.cursor < len(self._keys) else None

    # --- rendering ---------------------------------------------------------------------

    # `self.size` is read when needed, not kept from on_resize: rows pushed before the first
    # layout are painted in the first frame, and a resize needs no second layout pass.
    def _style(self, name: str) -> Style:
        if self._styles is None:
            self._styles = cells.table_styles(self.rich_style, self.get_component_rich_style)
        return self._styles[name]

    def notify_style_update(self) -> None:
        self._styles = None
        self._strips.clear()
        self._header = None
        super().notify_style_update()

    def on_focus(self) -> None:  # the cursor row is styled by focus: repaint it either way
        self.notify_style_update()
        self.refresh()

    on_blur = on_focus

    def _row_strip(self, index: int, width: int) -> Strip:
        """Row `index` as a line `width` cells wide, cached until the row or width changes."""
        key = self._keys[index]
        on_cursor = index == self.cursor
        even = self.zebra_stripes and index % 2 == 1
        variant = on_cursor * 2 + even
        strip = self._strips.get((key, variant))
        if strip is None or strip.cell_length != width:
            base, row = self._style("even" if even else "plain"), self._rows[key]
            segs = cells.row_segments(
                self.columns, self._widths, row, self._skip, base, self.app.console, width
            )
            if on_cursor:
                segs = list(Segment.apply_style(segs, post_style=self._style("cursor")))
            strip = Strip(segs).crop_extend(0, width, self._style("plain"))
            self._strips[key, variant] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        width, height = self.size  # once: each read walks up to the screen
        thumb = thumb_cell(len(self._keys), height - 1, self._top, y - 1, self._style("thumb"))
        text_width = width - 1 if thumb is not None else width
        base = self._style("plain")
        if y == 0:  # the whole width: its `▸` takes the cell over the scroll marker
            if self._header is None or self._header_for != (width, text_width):
                self._header_for = (width, text_width)
                styles = (self._style("header"), base)
                self._header = cells.header_strip(
                    self.columns,
                    self._widths,
                    self._skip,
                    text_width,
                    styles,
                    self.app.console,
                    spare=width - text_width,
                )
            return self._header
        if self._top + y - 1 < len(self._keys):
            strip = self._row_strip(self._top + y - 1, text_width)
        else:
            return Strip.blank(width, base)
        return Strip([*strip, thumb], width) if thumb is not None else strip

    # --- keys ----------------------------------------------------------------------------

    # A row picked (keys, a click: `pick`) is followed through re-sorts; until then the
    # cursor stays on the first row (RowCursor.place_cursor).

    def repaint_rows(self, *indexes: int) -> None:
        width = self.size.width
        for index in indexes:
            if 0 <= index < len(self._keys):
                self._forget(self._keys[index])
            self.refresh(Region(0, index - self._top + 1, width, 1))

    @property
    def text_width(self) -> int:
        """The cells a row has: the scroll marker, when shown, takes the last one."""
        width, height = self.size
        return width - 1 if len(self._keys) > height - 1 > 0 else width  # as thumb_cell

    def action_columns(self, delta: int) -> None:
        """Scroll the columns after the first sideways, while some do not fit."""
        skip = max(0, min(self._skip + delta, len(self.columns) - 2))
        if delta > 0 and cells.row_width(self._widths, self._skip) <= self.text_width:
            return  # the last column is in view already
        if skip != self._skip:
            self._skip = skip
            self._strips.clear()
            self._header = None
            self.refresh()

    def on_resize(self) -> None:
        if self._skip and cells.row_width(self._widths, 0) <= self.text_width:
            self.action_columns(-self._skip)  # wide enough again for every column

    def action_select(self) -> None:
        key = self.selected_key
        if key is not None:
            self.post_message(self.Selected(self, key))

    def on_click(self, event: events.Click) -> None:
        index = self._top + event.y - 1
        if event.y >= 1 and 0 <= index < len(self._keys):
            self.pick(index)
            if event.chain == 2:  # a double-click opens the row, as Enter does
                self.action_select()
