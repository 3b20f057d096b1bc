"""Plain-text tables for the list commands: a header, columns as wide as their widest
cell, the last column unpadded. `--json` is for scripts; this is for people."""

from __future__ import annotations

from collections.abc import Sequence


def table_lines(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()
) -> list[str]:
    """The header and the rows, two spaces between columns; columns in `right` are
    right-aligned (numbers, durations). No rows: no lines, not even the header."""
    if not rows:
        return []
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
