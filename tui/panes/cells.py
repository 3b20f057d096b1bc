"""The cells of a KeyedTable: columns, widths that follow the content, one row or the
header rendered to segments (cut with "…" or padded to its column, justified), with the
columns after the first scrolled sideways by `skip`, and the table's styles."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

Cell = str | Text
Row = tuple[Cell, ...]


class Column(NamedTuple):
    label: str
    right: bool = False  # right-justify (numbers); a Text cell's own justify wins
    max_width: int = 40


def plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def measure(columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> list[int]:
    """Each column as wide as its widest cell or label, capped at its max_width."""
    widths = [cell_len(c.label) for c in columns]
    for cells in rows:
        for i, cell in enumerate(cells[: len(widths)]):
            n = cell.cell_len if isinstance(cell, Text) else cell_len(cell)
            if n > widths[i]:
                widths[i] = n
    return [min(w, c.max_width) for w, c in zip(widths, columns, strict=True)]


def text_segments(text: Text, base: Style, console: Console) -> list[Segment]:
    """A one-line Text as segments over `base`. `Text.render` leaves out the Text's own
    style (only its spans are in the segments), so it is laid over `base` here."""
    own = text.style
    if own:
        base = base + (own if isinstance(own, Style) else console.get_style(own))
    return list(Segment.apply_style(text.render(console), base))


def _fast_cell(
    cell: Cell, col: Column, width: int, base: Style, console: Console
) -> list[Segment] | None:
    """A cell that fits and has one style (a str, or a Text without spans): its text and
    its padding as at most two segments; None for the rest. Rows re-render every second,
    and this skips `Text.render`."""
    if isinstance(cell, str):
        plain, style, right = cell, base, col.right
    elif not cell.spans and "\n" not in cell.plain:
        own = cell.style
        plain, right = cell.plain, (cell.justify == "right" if cell.justify else col.right)
        style = base + (own if isinstance(own, Style) else console.get_style(own)) if own else base
    else:
        return None
    n = cell_len(plain)
    if n > width:
        return None
    if style == base:
        pad = " " * (width - n)
        return [Segment(pad + plain if right else plain + pad, base)]
    text, pad_seg = Segment(plain, style), Segment(" " * (width - n), base)
    return [pad_seg, text] if right else [text, pad_seg]


def render_cells(
    cells: Sequence[Cell],
    columns: Sequence[Column],
    widths: Sequence[int],
    base: Style,
    console: Console,
) -> list[Segment]:
    """One row: the cells cut or padded to their widths, one space apart."""
    out: list[Segment] = []
    for i, (col, width) in enumerate(zip(columns, widths, strict=True)):
        if i:
            out.append(Segment(" ", base))
        cell = cells[i] if i < len(cells) else ""
        fast = _fast_cell(cell, col, width, base, console)
        if fast is not None:  # the common case: one style over the whole cell
            out.extend(fast)
            continue
        text = Text(cell) if isinstance(cell, str) else cell
        right = text.justify == "right" if text.justify else col.right
        if text.cell_len > width:
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
        pad = Segment(" " * (width - text.cell_len), base)
        if right:
            out.append(pad)
        out.extend(text_segments(text, base, console))
        if not right:
            out.append(pad)
    return out


def scrolled(
    columns: Sequence[Column], widths: Sequence[int], cells: Sequence[Cell], skip: int
) -> tuple[Sequence[Cell], Sequence[Column], Sequence[int]]:
    """The cells, columns and widths in view with `skip` columns after the first hidden."""
    if not skip:
        return cells, columns, widths
    shown = [0, *range(1 + skip, len(columns))]
    return (
        [cells[i] if i < len(cells) else "" for i in shown],
        [columns[i] for i in shown],
        [widths[i] for i in shown],
    )


def fitted(
    cells: Sequence[Cell], columns: Sequence[Column], widths: Sequence[int], room: int
) -> tuple[Sequence[Cell], Sequence[Column], Sequence[int]]:
    """The columns that fit in `room` cells. The first that does not: a number column
    (right-justified) is left out whole, as a number cut at the border reads as another
    number (inflight "27" showed as "2"); a text column is cut to the room with "…"."""
    x = 0
    for i, (col, w) in enumerate(zip(columns, widths, strict=True)):
        start = x + (1 if i else 0)
        if start + w <= room:
            x = start + w
            continue
        if (col.right and i) or room - start < 2:
            return cells[:i], columns[:i], widths[:i]
        return cells[: i + 1], columns[: i + 1], [*widths[:i], room - start]
    return cells, columns, widths


def row_segments(
    columns: Sequence[Column],
    widths: Sequence[int],
    cells: Sequence[Cell],
    skip: int,
    base: Style,
    console: Console,
    room: int | None = None,
) -> list[Segment]:
    """One row as shown with `skip` columns after the first scrolled out of view, in `room`
    cells (None: all of it)."""
    shown = scrolled(columns, widths, cells, skip)
    if room is not None:
        shown = fitted(*shown, room)
    return render_cells(*shown, base, console)


def header_strip(
    columns: Sequence[Column],
    widths: Sequence[int],
    skip: int,
    width: int,
    styles: tuple[Style, Style],
    console: Console,
    *,
    spare: int,
) -> Strip:
    """The header line, `width` cells and `spare` more: the labels over their columns
    (`width` cells, as the rows); `◂` after the first column when some are scrolled out
    of view, `▸` at the border when some are cut. `spare`: the cell the rows give their
    scroll marker (0 or 1), blank in the header: the `▸` goes there, not over a label."""
    header, base = styles
    labels = [Text(c.label, justify="right" if c.right else "left") for c in columns]
    strip = Strip(row_segments(columns, widths, labels, skip, header, console, width))
    marks = {widths[0]: "◂"} if skip and widths else {}
    if row_width(widths, skip) > width:
        marks[width + spare - 1] = "▸"
    return mark(strip.crop_extend(0, width + spare, base), marks, base)


def row_width(widths: Sequence[int], skip: int) -> int:
    """A row's width with `skip` columns after the first hidden (one space between)."""
    shown = [widths[0], *widths[1 + skip :]] if widths else []
    return sum(shown) + len(shown) - 1


def table_styles(base: Style, part: Callable[..., Style]) -> dict[str, Style]:
    """A KeyedTable's styles from its own (`base`) and its component classes' (`part`)."""

    def background(name: str) -> Style:
        # only the background (alpha blended), so a cell keeps its own colour; on 8 or 16
        # colours (no blending) the cursor is reverse or underlined instead (KeyedTable:ansi)
        full = part(name)
        return Style(
            bgcolor=full.bgcolor,
            bold=full.bold,
            reverse=full.reverse or None,
            underline=full.underline or None,
        )

    return {
        "plain": base,
        "header": base + part("keyed-table--header", partial=True),
        "even": base + background("keyed-table--even"),
        "cursor": background("keyed-table--cursor"),
        "thumb": base + part("keyed-table--thumb", partial=True),
    }


def mark(strip: Strip, marks: dict[int, str], style: Style) -> Strip:
    """`strip` with one-cell `marks` (offset -> character) written over it."""
    for x, char in sorted(marks.items()):
        if 0 <= x < strip.cell_length:
            parts = [strip.crop(0, x), Strip([Segment(char, style)], 1), strip.crop(x + 1)]
            strip = Strip.join(parts)
    return strip
