"""What the action modals share: Enter walks through the inputs and submits after the last;
a refusal is shown in the form with everything typed kept; Esc or Cancel closes it.

Tab, shift+Tab and Enter are priority bindings, and so is each form's Escape (so in
`esc H` the form is gone before H is read). Textual checks those in the app's queue
before it hands the next key to a widget; an ordinary binding acts only once the field's
own queue reaches the key, and by then the keys typed after it (a burst, as a slow SSH
link delivers them) have gone to the same field: `dave<Tab>db-reader` became one subject.

The keys typed right after the key that opens a form (`gdave`) reach its first field. An
ordinary binding acts only once its key has been to the focused widget and back up to the
app, and by then the app has sent `dave` to that widget too; so the keys that open forms
are priority bindings (WatchfloorApp.BINDINGS), their actions await the form's mount
before the app reads the next key, and the form focuses FIRST_FOCUS while it mounts
(`set_focus`; `focus()` would queue the change behind those keys). Acting first, Enter
then waits for every field to take the keys read before it, and only then submits. The
fields (tui/screens/field.py) run their own editing keys as they take them, so a ⌫ typed
before a Tab or Enter edits the field it was typed in, and Enter's wait covers it.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.footer import KeyFooter
from tui.settle import settled

ResultT = TypeVar("ResultT")


class TypeAheadModal(ModalScreen[ResultT]):
    """A modal whose Tab and shift+Tab move the focus before the next key is handed out,
    and whose FIRST_FOCUS widget has the focus once it is mounted."""

    FIRST_FOCUS: ClassVar[str] = ""  # a selector; empty: Textual's auto focus decides
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "move(1)", "Next field", priority=True),
        Binding("shift+tab", "move(-1)", "Previous field", show=False, priority=True),
    ]

    def first_focus(self) -> str:
        return self.FIRST_FOCUS

    def on_mount(self) -> None:
        if not self.query(KeyFooter):  # its own keys below it (the dashboard's are off)
            self.mount(KeyFooter())
        if selector := self.first_focus():
            self.set_focus(self.query_one(selector))

    def action_move(self, delta: int) -> None:
        _ = self.focus_next() if delta > 0 else self.focus_previous()  # at once (set_focus)


class ActionForm(TypeAheadModal[ResultT]):
    INPUTS: ClassVar[tuple[str, ...]] = ()  # input ids, in the order Enter visits them
    SUBMIT_ID: ClassVar[str] = "submit"  # the button that submits
    ERROR_ID: ClassVar[str] = "form-error"  # the line that says why, or that it is working
    BUSY_TEXT: ClassVar[str] = "checking…"
    busy: bool = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "enter", "Next field, submit after the last", priority=True),
    ]

    def first_focus(self) -> str:
        return self.FIRST_FOCUS or (f"#{self.INPUTS[0]}" if self.INPUTS else "")

    def value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def show_error(self, message: str, field: str = "") -> None:
        """Refused or failed: say why, keep what was typed. With the `field` it is about,
        that field has the focus at once, so what is typed next goes where it is wrong."""
        self.busy = False
        self.query_one(f"#{self.SUBMIT_ID}", Button).disabled = False
        self.query_one(f"#{self.ERROR_ID}", Static).update(Text(message, style="bold red"))
        if field in self.INPUTS:
            self.set_focus(self.query_one(f"#{field}", Input))

    def start_busy(self) -> None:
        self.busy = True
        self.query_one(f"#{self.SUBMIT_ID}", Button).disabled = True
        self.query_one(f"#{self.ERROR_ID}", Static).update(Text(self.BUSY_TEXT, style="italic"))

    def submit(self) -> None:
        """Validate, then post the subclass's Submitted message (the App answers)."""
        raise NotImplementedError

    async def fields_settled(self) -> None:
        """Every field has taken the keys already sent to it (Enter is acted on before)."""
        await settled(*(self.query_one(f"#{field}", Input) for field in self.INPUTS))

    async def action_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, Input) and focused.id in self.INPUTS:
            field = focused.id
            if field != self.INPUTS[-1]:
                self.set_focus(self.query_one(f"#{self.INPUTS[self.INPUTS.index(field) + 1]}"))
            elif not self.busy:
                await self.fields_settled()
                self.submit()
        elif isinstance(focused, Button):
            focused.press()
        else:
            raise SkipAction()  # anything else takes Enter itself

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == self.SUBMIT_ID:
            await self.fields_settled()
            self.submit()
        elif event.button.id == "cancel":
            self.dismiss()

    def action_cancel(self) -> None:
        self.dismiss()
