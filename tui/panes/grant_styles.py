"""The grants list's styles: its CSS and component classes, its row states (expired,
expiring soon, later) and each state's styles, on the cursor row and off it."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style

from tui.panes.grant_columns import SOON_S

EXPIRED, SOON, LATER = 0, 1, 2

# GrantList's COMPONENT_CLASSES and DEFAULT_CSS (tui/panes/grant_list.py)
GRANT_LIST_CLASSES: set[str] = {
    "grant-list--cursor",
    "grant-list--expired",
    "grant-list--soon",
    "grant-list--thumb",
}
GRANT_LIST_CSS = """
GrantList {
    height: 1fr;
    overflow-x: hidden;
    scrollbar-size-vertical: 0;  /* its own one-column thumb: the stock bar costs a tick */
}
GrantList > .grant-list--thumb { color: $primary; }
GrantList > .grant-list--cursor { background: $accent 40%; text-style: bold; }
GrantList:blur > .grant-list--cursor { background: $accent 15%; text-style: none; }
/* 8 or 16 colours: an ANSI colour has no 40%, and a green bar hid red text */
GrantList:ansi > .grant-list--cursor { background: ansi_default; text-style: bold reverse; }
GrantList:ansi:blur > .grant-list--cursor { background: ansi_default; text-style: underline; }
GrantList > .grant-list--expired { color: $error; text-style: bold; }
GrantList > .grant-list--soon { color: $warning; }
"""


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
