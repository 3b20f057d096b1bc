"""KeyedTable, the panes' table: rows by key, diffed, the cursor on the same key across
updates, only changed rows rendered again, never wider than its pane; and Line, the live
summaries: an unchanged text costs nothing, a new line count re-lays out."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from tui.panes import cells as table_cells
from tui.panes.keyed_table import Column, KeyedTable
from tui.panes.line import Line

ROWS = {
    "a": ("a", "alpha", "1"),
    "b": ("b", "bravo", "22"),
    "c": ("c", "charlie", "333"),
}


class Harness(App[None]):
    def compose(self) -> ComposeResult:
        yield KeyedTable("key", "name", Column("n", right=True), id="t")
        yield Line("one", id="line")

    @property
    def table(self) -> KeyedTable:
        return self.query_one(KeyedTable)


def shown(table: KeyedTable) -> list[str]:
    return [table.render_line(y).text.rstrip() for y in range(table.row_count + 1)]


async def test_rows_in_order_with_header_and_justified_columns() -> None:
    app = Harness()
    async with app.run_test(size=(40, 10)) as pilot:
        app.table.set_rows(ROWS)
        await pilot.pause()
        assert shown(app.table) == [
            "key name      n",
            "a   alpha     1",
            "b   bravo    22",
            "c   charlie 333",
        ]


async def test_cursor_stays_on_its_key_when_rows_reorder_and_clamps_when_it_goes() -> None:
    app = Harness()
    async with app.run_test(size=(40, 10)) as pilot:
        app.table.set_rows(ROWS)
        app.table.focus()
        await pilot.press("down")
        assert app.table.selected_key == "b"
        app.table.set_rows({k: ROWS[k] for k in ("c", "a", "b")})
        assert app.table.selected_key == "b" and app.table.cursor_row == 2
        app.table.set_rows({k: ROWS[k] for k in ("c", "a")})
        assert app.table.selected_key == "a"  # the row went: the cursor stays in range
        await pilot.press("home")
        assert app.table.selected_key == "c"
        await pilot.press("end")
        assert app.table.selected_key == "a"


async def test_enter_posts_the_selected_key() -> None:
    got: list[str] = []

    class Selecting(Harness):
        def on_keyed_table_selected(self, message: KeyedTable.Selected) -> None:
            got.append(message.key)

    app = Selecting()
    async with app.run_test(size=(40, 10)) as pilot:
        app.table.set_rows(ROWS)
        app.table.focus()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert got == ["c"]


async def test_only_the_changed_row_is_rendered_again(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Harness()
    async with app.run_test(size=(40, 10)) as pilot:
        app.table.set_rows(ROWS)
        await pilot.pause()
        rendered: list[Any] = []
        original = table_cells.row_segments

        def spy(columns: Any, widths: Any, cells: Any, *rest: Any) -> Any:
            rendered.append(cells[0])
            return original(columns, widths, cells, *rest)

        monkeypatch.setattr(table_cells, "row_segments", spy)
        app.table.set_rows({**ROWS, "b": ("b", "bravo", "23")})  # same widths
        await pilot.pause()
        assert rendered == ["b"]
        rendered.clear()
        app.table.set_rows({**ROWS, "b": ("b", "bravo", "23")})  # nothing changed
        await pilot.pause()
        assert rendered == []


async def test_filter_keeps_matching_rows_and_clearing_it_restores_all() -> None:
    app = Harness()
    async with app.run_test(size=(40, 10)) as pilot:
        app.table.set_rows(ROWS)
        app.table.row_filter = "CHAR"
        await pilot.pause()
        assert list(app.table.rows) == ["c"]
        app.table.row_filter = ""
        assert list(app.table.rows) == ["a", "b", "c"]


async def test_a_narrow_pane_cuts_rows_at_its_border() -> None:
    app = Harness()
    async with app.run_test(size=(12, 8)) as pilot:
        wide = {"k": ("k", Text("a very long name indeed", style="red"), "123456")}
        app.table.set_rows(wide)
        await pilot.pause()
        width = app.table.size.width
        assert width == 12
        for y in range(3):
            assert app.table.render_line(y).cell_length == width


class Wide(App[None]):
    def compose(self) -> ComposeResult:
        yield KeyedTable("key", "first", "second", Column("third", right=True), id="t")


WIDE = {"r1": ("r1", "alpha" * 2, "bravo" * 2, "1234567"), "r2": ("r2", "a", "b", "7")}


async def test_left_and_right_scroll_the_columns_after_the_first_when_they_do_not_fit() -> None:
    app = Wide()
    async with app.run_test(size=(24, 8)) as pilot:
        table = app.query_one(KeyedTable)
        table.set_rows(WIDE)
        table.focus()
        await pilot.pause()
        assert shown(table) == [
            "key first      second  ▸",
            "r1  alphaalpha bravobra…",  # text cut at the border says so
            "r2  a          b",
        ]
        await pilot.press("right")
        assert shown(table) == [
            "key◂second       third",
            "r1  bravobravo 1234567",
            "r2  b                7",
        ]
        await pilot.press("l")  # the last column is in view: no further
        assert shown(table)[0] == "key◂second       third"
        await pilot.press("left", "h")  # back to the first, and no further
        assert shown(table)[0] == "key first      second  ▸"
        await pilot.press("right")
        await pilot.resize_terminal(40, 8)  # wide enough for every column again
        await pilot.pause()
        assert shown(table)[0] == "key first      second       third"
        assert table.cursor_row == 0  # the row cursor did not move


async def test_right_scrolls_nothing_away_when_every_column_fits_without_the_marker() -> None:
    """The rows are 33 cells: in a table 33 wide with no scroll marker (every row in view)
    they fit whole, and → hid the first column after the key all the same (it reckoned a
    cell for the marker); with the marker (more rows than lines) the rows have 32 cells."""
    app = Wide()
    async with app.run_test(size=(33, 8)) as pilot:
        table = app.query_one(KeyedTable)
        table.set_rows(WIDE)
        table.focus()
        await pilot.pause()
        whole = ["key first      second       third", "r1  alphaalpha bravobravo 1234567"]
        assert shown(table)[:2] == whole
        await pilot.press("right")
        assert shown(table)[:2] == whole
        many = {f"r{i}": ("r1", "alpha" * 2, "bravo" * 2, "1234567") for i in range(9)}
        table.set_rows(many)  # more rows than lines: the marker takes a cell
        await pilot.pause()
        header = shown(table)[0]
        assert header.endswith("▸") and "third" not in header, header
        assert len(header) == 33  # the rows' 32, and the `▸` over the marker's column
        await pilot.press("right")
        assert shown(table)[0] == "key◂second       third"


async def test_line_repaints_only_on_change_and_relayouts_only_on_new_line_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = Harness()
    async with app.run_test(size=(40, 10)) as pilot:
        line = app.query_one(Line)
        calls: list[bool] = []
        original = Line.refresh

        def spy(self: Line, *args: Any, layout: bool = False, **kw: Any) -> Any:
            calls.append(layout)
            return original(self, *args, layout=layout, **kw)

        monkeypatch.setattr(Line, "refresh", spy)
        line.update("one")
        assert calls == []
        line.update(Text("two"))
        assert calls == [False]
        line.update("two\nlines")
        assert calls == [False, True]
        await pilot.pause()
        assert line.size.height == 2
        assert str(line.render()) == "two\nlines"


async def test_line_ends_in_an_ellipsis_when_too_wide() -> None:
    app = Harness()
    async with app.run_test(size=(10, 8)) as pilot:
        line = app.query_one(Line)
        line.update("0123456789abcdef")
        await pilot.pause()
        assert line.render_line(0).text == "012345678…"


async def test_a_texts_own_style_is_kept_in_cells_and_lines() -> None:
    """`Text("5.0%", style="red")`: the red is the Text's own style, not a span; a red deny
    rate must stay red in a table cell and in a summary line."""
    app = Harness()
    async with app.run_test(size=(40, 10)) as pilot:
        app.table.set_rows({"a": ("a", Text("hot", style="red"), Text("9", style="bold"))})
        app.query_one(Line).update(Text("all clear", style="green"))
        await pilot.pause()
        row = app.table.render_line(1)
        styles = {seg.text.strip(): seg.style for seg in row if seg.text.strip()}
        assert styles["hot"] is not None and styles["hot"].color is not None
        assert styles["hot"].color.name == "red"
        assert styles["9"] is not None and styles["9"].bold
        line = app.query_one(Line).render_line(0)
        colours = {
            seg.style.color.name
            for seg in line
            if seg.text.strip() and seg.style is not None and seg.style.color
        }
        assert colours == {"green"}


async def test_a_number_column_cut_at_the_border_is_left_out_not_cut() -> None:
    """At 80x24 the latency table's inflight column was cut to its first digit: "27"
    read as "2". A number that does not fit whole is not shown (▸ says there is more);
    a text column cut at the border ends in "…"."""
    app = Harness()
    async with app.run_test(size=(12, 6)) as pilot:  # "key name  " + 2 cells: n cut
        app.table.set_rows({"a": ("a", "alpha", "27"), "b": ("b", "bravo", "333")})
        await pilot.pause()
        lines = shown(app.table)
        assert lines[0].startswith("key name") and lines[0].endswith("▸")
        assert lines[1] == "a   alpha" and lines[2] == "b   bravo"  # no "2", no "3"
    narrow = Harness()
    async with narrow.run_test(size=(8, 6)) as pilot:
        narrow.table.set_rows({"c": ("c", "charlie", "1")})
        await pilot.pause()
        assert shown(narrow.table)[1] == "c   cha…"  # text: cut with an ellipsis


async def test_an_untouched_cursor_stays_on_the_first_row_as_rows_re_sort() -> None:
    """A live sorted table (the access pane: worst key first) keeps its top row in view
    until a row is picked: following the first row's key as it sank scrolled the new worst
    key out of view."""
    app = Harness()
    async with app.run_test(size=(40, 4)) as pilot:  # two rows in view
        app.table.set_rows(ROWS)
        await pilot.pause()
        app.table.set_rows({k: ROWS[k] for k in ("c", "b", "a")})  # "a" sank to the bottom
        await pilot.pause()
        assert app.table.cursor_row == 0 and app.table.selected_key == "c"
        assert shown(app.table)[1].startswith("c ")  # the new top row is in view
        app.table.focus()
        await pilot.press("down")  # picked: "b" is followed from now on
        app.table.set_rows({k: ROWS[k] for k in ("a", "c", "b")})
        await pilot.pause()
        assert app.table.selected_key == "b" and app.table.cursor_row == 2
