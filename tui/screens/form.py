"""What the action modals share: Enter walks through the inputs and submits after the last;
a refusal is shown in the form with everything typed kept; Esc or Cancel closes it."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

ResultT = TypeVar("ResultT")


class ActionForm(ModalScreen[ResultT]):
    INPUTS: ClassVar[tuple[str, ...]] = ()  # input ids, in the order Enter visits them
    SUBMIT_ID: ClassVar[str] = "submit"  # the button that submits
    ERROR_ID: ClassVar[str] = "form-error"  # the line that says why, or that it is working
    BUSY_TEXT: ClassVar[str] = "checking…"
    busy: bool = False

    def on_mount(self) -> None:
        if self.INPUTS:
            self.query_one(f"#{self.INPUTS[0]}", Input).focus()

    def value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def show_error(self, message: str) -> None:
        """Refused or failed: say why, keep what was typed."""
        self.busy = False
        self.query_one(f"#{self.SUBMIT_ID}", Button).disabled = False
        self.query_one(f"#{self.ERROR_ID}", Static).update(Text(message, style="bold red"))

    def start_busy(self) -> None:
        self.busy = True
        self.query_one(f"#{self.SUBMIT_ID}", Button).disabled = True
        self.query_one(f"#{self.ERROR_ID}", Static).update(Text(self.BUSY_TEXT, style="italic"))

    def submit(self) -> None:
        """Validate, then post the subclass's Submitted message (the App answers)."""
        raise NotImplementedError

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        field = event.input.id or ""
        if field in self.INPUTS[:-1]:
            # at once, not `.focus()` (deferred to the app's queue): keys typed right after
            # Enter belong to the next field
            self.set_focus(self.query_one(f"#{self.INPUTS[self.INPUTS.index(field) + 1]}", Input))
        elif field in self.INPUTS:
            self.submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == self.SUBMIT_ID:
            self.submit()
        elif event.button.id == "cancel":
            self.dismiss()

    def action_cancel(self) -> None:
        self.dismiss()
