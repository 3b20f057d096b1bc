"""`R`: confirm the rollback rehearsal, with a reason. Dismisses with the reason (the App
then calls the release source's audited action) or None when cancelled."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from tui.screens.field import Field
from tui.screens.form import TypeAheadModal

MIN_REASON = 10


class RehearsalScreen(TypeAheadModal[str | None]):
    FIRST_FOCUS = "#reason"
    DEFAULT_CSS = """
    RehearsalScreen { align: center middle; }
    #rehearsal-box {
        width: 72; height: auto; padding: 1 2;
        max-width: 100%; max-height: 100%; overflow-y: auto;  /* 80x24 scrolls, keeps every field */
        border: round $warning; background: $surface;
    }
    #rehearsal-box .hint { color: $text-muted; margin: 1 0; }
    #rehearsal-error { height: auto; }
    #rehearsal-buttons { height: auto; margin-top: 1; }
    #rehearsal-buttons Button { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="rehearsal.cancel", priority=True),
    ]

    def __init__(self, target: str, last: str) -> None:
        super().__init__()
        self.target = target
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical(id="rehearsal-box"):
            yield Static(Text("Trigger the rollback rehearsal?", style="bold"))
            yield Static(Text.assemble("runs on: ", (self.target, "bold"), f"\n{self.last}"))
            yield Static(
                "It is recorded in the audit trail under your name, with this reason"
                f" (at least {MIN_REASON} characters).",
                classes="hint",
            )
            yield Field(placeholder="e.g. monthly rollback drill before the next cut", id="reason")
            yield Static("", id="rehearsal-error")
            with Horizontal(id="rehearsal-buttons"):
                yield Button("Rehearse rollback", variant="warning", id="confirm")
                yield Button("Cancel", id="cancel")

    def _confirm(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if len(reason) < MIN_REASON:
            self.query_one("#rehearsal-error", Static).update(
                Text(f"A reason of at least {MIN_REASON} characters is required.", "red")
            )
            return
        self.dismiss(reason)

    @on(Input.Submitted, "#reason")
    def _submitted(self) -> None:
        self._confirm()

    @on(Button.Pressed, "#confirm")
    def _pressed_confirm(self) -> None:
        self._confirm()

    @on(Button.Pressed, "#cancel")
    def _pressed_cancel(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
