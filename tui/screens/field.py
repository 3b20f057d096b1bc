"""The text field every form uses: an Input that acts on its own editing keys (⌫,
ctrl+u, ← →…) in the order they reach it, whatever has the focus by the time Textual
would have run them (see tui/own_keys.py)."""

from __future__ import annotations

from textual.events import Focus
from textual.widgets import Input

from tui.own_keys import OwnKeys


class Field(OwnKeys, Input):
    end_on_focus: bool = False  # the next focus: cursor after the text, nothing selected

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
        event.prevent_default()  # Input's own would select it all again
