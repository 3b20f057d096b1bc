"""`R`: the rollback rehearsal. It rolls back a real environment on a real backend, so, as
HALT ALL does, it names what it acts on and asks for a reason and for the word ROLLBACK
typed out: Enter in the reason only moves on to the confirmation, and a stray Enter there
sends nothing either. Posts `RehearsalScreen.Submitted`; the App calls the release source
and then closes the dialog or calls `show_error`, which keeps everything as typed."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, Static

from tui.screens.field import Field
from tui.screens.form import ActionForm

MIN_REASON = 10
CONFIRM_WORD = "ROLLBACK"


class RehearsalScreen(ActionForm[bool | None]):
    INPUTS = ("reason", "rehearsal-confirm")
    SUBMIT_ID = "rehearse"
    ERROR_ID = "rehearsal-error"
    BUSY_TEXT = "triggering…"
    DEFAULT_CSS = """
    RehearsalScreen { align: center middle; }
    #rehearsal-box {
        width: 76; height: auto; padding: 1 2;
        max-width: 100%; max-height: 100%; overflow-y: auto;  /* 80x24 scrolls, keeps every field */
        border: round $warning; background: $surface;
    }
    #rehearsal-box Label { margin-top: 1; color: $text-muted; }
    #rehearsal-box Input { background: $boost; }
    #rehearsal-box .hint { color: $text-muted; margin-top: 1; }
    #rehearsal-error { height: auto; margin-top: 1; }
    #rehearsal-buttons { height: auto; margin-top: 1; }
    #rehearsal-buttons Button { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="rehearsal.cancel", priority=True),
    ]

    class Submitted(Message):
        """Please trigger it (the App answers with dismiss or show_error)."""

        def __init__(self, screen: RehearsalScreen, reason: str) -> None:
            super().__init__()
            self.screen = screen
            self.reason = reason

    def __init__(self, version: str, target: str, last: str) -> None:
        """`version`: the release it rolls back, as the source reports it ("" unknown);
        `target`: where it runs; `last`: the last rehearsal's result."""
        super().__init__()
        self.version = version
        self.target = target
        self.last = last

    def compose(self) -> ComposeResult:
        version = (
            Text.assemble((self.version, "bold"), " (the latest release)")
            if self.version
            else Text("the latest release (none reported yet)")
        )
        with Vertical(id="rehearsal-box"):
            yield Static(Text("Trigger the rollback rehearsal", style="bold"))
            yield Static(
                Text.assemble(
                    "rolls back: ",
                    version,
                    "\nruns on: ",
                    (self.target, "bold"),
                    f"\n{self.last}",
                )
            )
            yield Static(
                "Recorded in the audit trail under your name, with this reason.",
                classes="hint",
            )
            yield Label(f"reason (at least {MIN_REASON} characters)")
            yield Field(
                placeholder="e.g. monthly rollback drill before the next cut",
                id="reason",
                compact=True,
            )
            yield Label(f"type {CONFIRM_WORD} to confirm")
            yield Field(id="rehearsal-confirm", compact=True)
            yield Static("", id="rehearsal-error")
            with Horizontal(id="rehearsal-buttons"):
                yield Button("Rehearse rollback", variant="warning", id="rehearse")
                yield Button("Cancel", id="cancel")

    def submit(self) -> None:
        if self.busy:
            return
        reason = " ".join(self.value("reason").split())
        if len(reason) < MIN_REASON:
            self.show_error(f"A reason of at least {MIN_REASON} characters is required.", "reason")
            return
        if self.value("rehearsal-confirm").strip() != CONFIRM_WORD:
            self.show_error(f"Type {CONFIRM_WORD} (in capitals) to confirm.", "rehearsal-confirm")
            return
        self.start_busy(
            f"Rollback rehearsal of {self.version}" if self.version else "Rollback rehearsal"
        )
        self.post_message(self.Submitted(self, reason))
