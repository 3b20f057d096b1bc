"""`H`: HALT ALL. Removes every managed fault in every namespace, so it asks for a reason
and for the word HALT typed out; a stray key press cannot do it. Posts
`HaltScreen.Submitted`; the App calls the FaultSource and closes or shows the error."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

CONFIRM_WORD = "HALT"


class HaltScreen(ModalScreen[int | None]):
    DEFAULT_CSS = """
    HaltScreen { align: center middle; }
    #halt-box {
        width: 72; height: auto; padding: 1 2;
        border: heavy $error; background: $surface;
    }
    #halt-box Label { margin-top: 1; color: $text-muted; }
    #halt-error { height: auto; margin-top: 1; }
    #halt-buttons { height: auto; margin-top: 1; }
    #halt-buttons Button { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="halt.cancel"),
    ]

    class Submitted(Message):
        def __init__(self, screen: HaltScreen, reason: str) -> None:
            super().__init__()
            self.screen = screen
            self.reason = reason

    def __init__(self, open_windows: int, backend: str) -> None:
        super().__init__()
        self.open_windows = open_windows
        self.backend = backend
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="halt-box"):
            yield Static(Text("HALT ALL fault injection", style="bold red"))
            yield Static(
                f"Removes every watchfloor-managed fault in every namespace ({self.backend}"
                f" backend; {self.open_windows} open window(s) seen) and restores the routes."
                " Audited. Nothing else is touched."
            )
            yield Label("reason")
            yield Input(placeholder="pager fired: checkout errors", id="halt-reason")
            yield Label(f"type {CONFIRM_WORD} to confirm")
            yield Input(placeholder=CONFIRM_WORD, id="halt-confirm")
            yield Static("", id="halt-error")
            with Horizontal(id="halt-buttons"):
                yield Button("HALT ALL", variant="error", id="halt")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#halt-reason", Input).focus()

    def show_error(self, message: str) -> None:
        self.busy = False
        self.query_one("#halt", Button).disabled = False
        self.query_one("#halt-error", Static).update(Text(message, style="bold red"))

    def submit(self) -> None:
        if self.busy:
            return
        reason = " ".join(self.query_one("#halt-reason", Input).value.split())
        if not reason:
            self.show_error("a reason is required")
            return
        if self.query_one("#halt-confirm", Input).value.strip() != CONFIRM_WORD:
            self.show_error(f"type {CONFIRM_WORD} (in capitals) to confirm")
            return
        self.busy = True
        self.query_one("#halt", Button).disabled = True
        self.query_one("#halt-error", Static).update(Text("halting…", style="italic"))
        self.post_message(self.Submitted(self, reason))

    @on(Input.Submitted, "#halt-reason")
    def _next(self) -> None:
        self.query_one("#halt-confirm", Input).focus()

    @on(Input.Submitted, "#halt-confirm")
    def _enter(self) -> None:
        self.submit()

    @on(Button.Pressed, "#halt")
    def _pressed_halt(self) -> None:
        self.submit()

    @on(Button.Pressed, "#cancel")
    def _pressed_cancel(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
