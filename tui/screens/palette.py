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
from textual.command import CommandPalette, Hit, Hits
from textual.content import Content
from textual.system_commands import SystemCommandsProvider

from tui.footer import KeyFooter
from tui.palette import search_words
from tui.palette_search import word_score, word_spans

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


class Commands(SystemCommandsProvider):
    """The app's commands (get_system_commands), found by whole words: of the title, the
    entry's search words ("stop" for HALT ALL) or its help text; letter by letter, as
    Textual does, only when no entry has every word typed (tui/palette_search.py)."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        commands = list(self.app.get_system_commands(self.screen))
        scored = [(word_score(query, c.title, c.help, search_words(c.title)), c) for c in commands]
        if not any(score for score, _ in scored):  # a shorthand: "tmln"
            for c in commands:
                if (score := matcher.match(c.title)) > 0:
                    yield Hit(score, matcher.highlight(c.title), c.callback, help=c.help)
            return
        for score, c in scored:
            if score:
                shown = Content(c.title)
                for start, end in word_spans(query, c.title):
                    shown = shown.stylize(matcher.match_style, start, end)
                yield Hit(score, shown, c.callback, text=c.title, help=c.help)
