"""The grants list's row states (expired, expiring soon, later) and each state's styles,
on the cursor row and off it."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style

from tui.panes.grant_columns import SOON_S

EXPIRED, SOON, LATER = 0, 1, 2


def state(secs: float) -> int:
    """A grant's state with `secs` left: expired at 0, soon under SOON_S."""
    return EXPIRED if secs <= 0 else SOON if secs < SOON_S else LATER


def line_styles(
    plain: Style, part: Callable[..., Style]
) -> dict[tuple[bool, int], tuple[Style, Style]]:
    """(row style, countdown style) by (cursor?, state), from the list's own style and
    its component classes' (`part`)."""
    cursor = plain + part("grant-list--cursor")
    red = part("grant-list--expired", partial=True)
    soon = part("grant-list--soon", partial=True)
    styles = {}
    for on_cursor, base in ((False, plain), (True, cursor)):
        styles[on_cursor, EXPIRED] = (base + red, base + red)  # red on the cursor too
        styles[on_cursor, SOON] = (base, base + soon)
        styles[on_cursor, LATER] = (base, base)
    return styles
