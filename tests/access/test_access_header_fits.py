"""The Access table's header at 80 columns.

Before: at 80x24 it read "key  deny denied tota▸". The "total" label fitted, but the
`▸` that says more columns follow ("trend") was drawn over its last letter. That
happened because the header kept a blank cell over the rows' scroll marker. Now the
`▸` goes in that cell, and the header reads "total▸".
"""

from __future__ import annotations

from textual.app import App, ComposeResult

from backends.clock import FrozenClock
from tests.conftest import T0
from tests.helpers import local_app, wait_for
from tui.panes.keyed_table import Column, KeyedTable


async def test_at_80x24_the_last_label_in_view_stays_whole_before_its_marker() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.pause(1.2)
        table = app.pane("access").query_one(KeyedTable)
        assert table.text_width < table.size.width  # more rows than lines: a scroll marker
        header = table.render_line(0).text
        assert header.rstrip().endswith("total▸"), header
        assert "trend" not in header
        assert len(header) == table.size.width


class Table(App[None]):
    def compose(self) -> ComposeResult:
        yield KeyedTable("key", Column("n", right=True), "more", id="t")


async def test_the_marker_takes_the_scroll_markers_cell_and_otherwise_the_last() -> None:
    """The label "more" ends at the rows' last cell: marker or not, it stays whole."""
    app = Table()
    async with app.run_test(size=(11, 4)) as pilot:
        table = app.query_one(KeyedTable)
        table.set_rows({f"k{i}": (f"k{i}", "7", "x" * 9) for i in range(2)})  # rows fit
        await pilot.pause()
        assert table.text_width == 11
        assert table.render_line(0).text == "key n more▸"  # the last cell, a blank one
        table.set_rows({f"k{i}": (f"k{i}", "7", "x" * 9) for i in range(5)})  # they don't
        await pilot.pause()
        assert table.text_width == 10 and table.render_line(1).text.endswith("┃")
        assert table.render_line(0).text == "key n more▸", "the marker's cell"
