"""The text field every form uses: an Input that acts on its own editing keys (⌫,
ctrl+u, ← →…) in the order they reach it, whatever has the focus by the time Textual
would have run them (see tui/own_keys.py)."""

from __future__ import annotations

from textual.events import Focus
from textual.widget import Widget
from textual.widgets import Input

from tui.own_keys import OwnKeys


class Field(OwnKeys, Input):
    # Without colour to set a field apart (NO_COLOR; the ANSI theme of a 16-colour
    # terminal, tui/look.py) a one-line field was a blank line until the cursor reached it,
    # and a placeholder differed from a value by a grey level, or not at all: a bar marks
    # the field, and a placeholder is italic (and dim where the terminal dims).
    DEFAULT_CSS = """
    Field.-textual-compact:nocolor, Field.-textual-compact:ansi {
        border-left: outer $foreground !important;
    }
    Field:nocolor > .input--placeholder { text-style: italic; }
    Field:ansi > .input--placeholder { text-style: italic dim; }
    """
    end_on_focus: bool = False  # the next focus: cursor after the text, nothing selected
    opened_with: str | None = None  # its value when mounted: typed() tells a change

    def on_mount(self) -> None:
        self.opened_with = self.value

    def typed(self) -> bool:
        """Something typed in it since it opened (a quit would drop it: tui/quit_keys.py)."""
        return self.opened_with is not None and self.value != self.opened_with

    def _on_focus(self, event: Focus) -> None:
        if not self.end_on_focus:
            return  # Input's own: the text selected (select_on_focus)
        self.end_on_focus = False
        keep, self.select_on_focus = self.select_on_focus, False
        try:
            Input._on_focus(self, event)
        finally:
            self.select_on_focus = keep
        self.cursor_position = len(self.value)
        Widget._on_focus(self, event)  # has_focus, so it looks focused (skipped below)
        event.prevent_default()  # Input's own would select it all again
