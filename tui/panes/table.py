"""Keyed, diffed DataTable updates: rows are added, changed cell by cell, or removed, never
cleared and rebuilt, so the cursor and scroll position survive every refresh."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellType

BARS = "▁▂▃▄▅▆▇█"


def spark(values: Sequence[float], width: int = 12, top: float | None = None) -> str:
    """A one-line sparkline of the last `width` values, scaled to `top` (or the max)."""
    vals = list(values)[-width:]
    if not vals:
        return ""
    hi = top if top is not None else max(vals)
    if hi <= 0:
        return BARS[0] * len(vals)
    return "".join(BARS[min(len(BARS) - 1, int(v / hi * (len(BARS) - 1) + 0.5))] for v in vals)


def _plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def sync_table(table: DataTable[CellType], rows: Mapping[str, Sequence[CellType]]) -> None:
    """Make a DataTable (the modal screens') show `rows` (key -> cells), in the mapping's
    order. The panes use KeyedTable, which diffs its rows itself.

    The first cell's plain text must equal the row key when order matters.
    """
    existing = {rk.value for rk in table.rows if rk.value is not None}
    for key in existing - rows.keys():
        table.remove_row(key)
    columns = list(table.columns)
    for key, cells in rows.items():
        if key in existing:
            for col, value in zip(columns, cells, strict=False):
                if table.get_cell(key, col) != value:
                    table.update_cell(key, col, value)
        else:
            table.add_row(*cells, key=key)
    wanted = list(rows)
    if [r.key.value for r in table.ordered_rows] != wanted and columns:
        rank = {k: i for i, k in enumerate(wanted)}
        table.sort(columns[0], key=lambda cell: rank.get(_plain(cell), len(rank)))
