"""Ctrl+P: Textual's command palette, with its own keys on the bottom line.

Textual's palette covers the dashboard but for its bottom line, where the dashboard's
footer stayed in view with keys that are off while the palette is open (H typed goes into
the search). Its own footer says Enter runs the highlighted command and Esc closes it.
Its search field's placeholder is an example, as in every dialog: Textual's "Search for
commands…" could read as typed in (tests/test_dialog_placeholders.py). The entries:
tui.palette.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import CommandPalette

from tui.footer import KeyFooter

PLACEHOLDER = "e.g. halt, timeline, theme"


class Palette(CommandPalette):
    FOOTER_HINTS: ClassVar[tuple[tuple[str, str], ...]] = (("enter", "Run"),)  # the field's
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "escape", "Close", id="palette.close"),  # "Exit the command palette"
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, id=id)

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield KeyFooter()
