"""A form's message line and buttons, kept in view however short the terminal: at 80x24 the
rollback rehearsal's Rehearse button scrolled out of sight once it said "The latest release
is now …" (Enter still sent it; nothing showed what Enter would do)."""

from __future__ import annotations

from textual.containers import Vertical
from textual.events import Resize
from textual.screen import Screen


class FormFoot(Vertical):
    """A form's message line (a refusal, "checking…") and its buttons, docked at the bottom
    of the dialog: where the dialog is too short for everything (80x24, a long message, a
    newer release named), its fields scroll and these stay in view. Grown by a longer
    message, it keeps the focused field in view above it."""

    DEFAULT_CSS = """
    FormFoot { dock: bottom; height: auto; }
    """

    _height: int | None = None  # as first laid out: the dialog opens at its top (on_mount)

    def on_resize(self, event: Resize) -> None:
        before, self._height = self._height, event.size.height
        if before is not None and before != event.size.height:
            self.call_after_refresh(focused_in_view, self.screen)  # once the fields moved


def focused_in_view(screen: Screen[object]) -> None:
    """Scroll the focused field out from behind the FormFoot. (Textual scrolls to what
    takes the focus only when it is outside the dialog, and takes one behind a docked
    widget for in view.)"""
    focused = screen.focused
    if focused is not None and not any(isinstance(a, FormFoot) for a in focused.ancestors):
        focused.scroll_visible(animate=False)
