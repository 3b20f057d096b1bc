"""`/`: filter the focused pane's table. Enter applies, an empty filter clears, Esc cancels."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label

from tui.screens.field import Field
from tui.screens.form import TypeAheadModal


class FilterScreen(TypeAheadModal[str | None]):
    FIRST_FOCUS = "#filter-input"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="filter.cancel", priority=True),
        Binding("tab", "move(1)", "Next field", show=False, priority=True),  # one field only
    ]

    def __init__(self, pane_title: str, current: str) -> None:
        super().__init__()
        self.pane_title = pane_title
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="filter-box"):
            # two lines: "Break-glass grants" and the hint on one did not fit the box
            yield Label(f"Filter {self.pane_title}\nrows containing the text; empty clears")
            yield Field(value=self.current, placeholder="e.g. tenant=acme", id="filter-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
