"""Plain-text tables for the list commands: a header, columns as wide as their widest
cell, the last column unpadded. `--json` is for scripts; this is for people.

Every cell is shown with its control characters made visible (backends/text_safe.py): a
reason stored with an escape sequence or a newline, by an older version or another tool,
reads as what it is and does not drive the terminal or make one row look like two."""

from __future__ import annotations

from collections.abc import Sequence

from backends.text_safe import shown


def table_lines(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()
) -> list[str]:
    """The header and the rows, two spaces between columns; columns in `right` are
    right-aligned (numbers, durations). No rows: no lines, not even the header."""
    if not rows:
        return []
    rows = [[shown(cell) for cell in r] for r in rows]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    last = len(header) - 1

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            if i == last and i not in right:
                out.append(cell)
            else:
                out.append(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    return [line(header), *(line(r) for r in rows)]
