"""What the action modals share: Enter walks through the inputs and submits after the last
(after a refusal, from any field); a refusal is shown in the form with everything typed
kept; Esc or Cancel closes it (a request already sent still has its outcome shown, as a
toast: RequestModal).

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
from textual.events import DescendantFocus, Resize
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static
from textual.widgets.input import Selection

from tui.fmt import form_read_only
from tui.footer import KeyFooter
from tui.palette import key_of
from tui.screens.field import Field
from tui.screens.form_foot import focused_in_view
from tui.settle import settled

ResultT = TypeVar("ResultT")
NEXT_OR_SUBMIT = "Next field, submit after the last"


def enter_binding(binding_id: str, description: str = NEXT_OR_SUBMIT) -> Binding:
    """A form's Enter, with its id so [keys] can move it (`"grant.enter" = "f2"`), shown
    in its footer; priority, as Tab: see the module's doc."""
    return Binding("enter", "enter", description, id=binding_id, priority=True)


class TypeAheadModal(ModalScreen[ResultT]):
    """A modal whose Tab and shift+Tab move the focus before the next key is handed out,
    and whose FIRST_FOCUS widget has the focus once it is mounted."""

    FIRST_FOCUS: ClassVar[str] = ""  # a selector; empty: the first focusable widget
    # Textual's auto focus is off: it scrolled to the widget it focused before anything was
    # laid out, and at 80x24 the dialog opened scrolled, its title off the top (on_mount)
    AUTO_FOCUS: ClassVar[str | None] = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "move(1)", "Next field", priority=True),
        Binding("shift+tab", "move(-1)", "Previous field", show=False, priority=True),
    ]

    def first_focus(self) -> str:
        return self.FIRST_FOCUS

    def on_mount(self) -> None:
        if not self.query(KeyFooter):  # its own keys below it (the dashboard's are off)
            self.mount(KeyFooter())
        # not scrolled to: the dialog opens at its top (its first field is near the top)
        first = next((w for w in self.query(self.first_focus() or "*") if w.focusable), None)
        if first is not None:
            self.set_focus(first, scroll_visible=False)

    def key(self, action: str, word: str) -> str:
        """The key of this dialog's `action` ("cancel", "enter") as its footer shows it,
        [keys] applied, for what it says; `word` if that binding has no id."""
        bindings = (b for bs in self._bindings.key_to_bindings.values() for b in bs)
        bid = next((b.id for b in bindings if b.action == action and b.id), None)
        key = key_of(self.app, bid) if bid else word
        return word if key == bid else key  # not on the screen stack (closed): the word

    def action_move(self, delta: int) -> None:
        _ = self.focus_next() if delta > 0 else self.focus_previous()  # at once (set_focus)


class RequestModal(TypeAheadModal[ResultT]):
    """A modal that sends one request: it posts a message, the App calls the backend and
    answers with `finish` (done: close) or `refused` (say why, keep what was typed).

    A request sent cannot be unsent. Esc or Cancel while it is with the backend closes the
    dialog and says that its outcome will still be shown; when it comes back to a dialog
    closed meanwhile, a refusal is a toast naming what was sent (`sending`), and a success
    closes nothing else (the App's own toast says it). Nothing is shown on a dialog that is
    gone, and no other dialog is closed in its place."""

    INPUTS: ClassVar[tuple[str, ...]] = ()  # input ids, in the order Enter visits them
    # Refused, the input at fault takes the focus with its text selected, so what is typed
    # replaces it (a code, a TTL, ROLLBACK); in these free-text ones the cursor goes to the
    # end instead, so "INC-12" too short for a reason is added to, not typed over.
    APPENDED: ClassVar[frozenset[str]] = frozenset({"reason"})
    SUBMIT_ID: ClassVar[str] = "submit"  # the button that submits
    ERROR_ID: ClassVar[str] = "form-error"  # the line that says why, or that it is working
    BUSY_TEXT: ClassVar[str] = "checking…"
    REFUSED_TOAST_S: ClassVar[float] = 15.0  # a refusal of a closed dialog stays a while
    # rows: in a shorter terminal (80x24) the screen has the class "-short", and the form
    # drops the blank lines between its fields, so they, its message and buttons fit
    SHORT: ClassVar[int] = 28
    busy: bool = False
    refused_once: bool = False  # a submit was refused: Enter sends again from any field
    error_field: str = ""  # the field the shown refusal is about
    sending: str = ""  # what is with the backend, as a toast names it ("HALT ALL")
    _submit_had_focus: bool = False  # when sent: given back to it if it fails (Enter again)
    _finished: tuple[ResultT | None] | None = None  # done while another screen was on top
    _focused_once: bool = False  # the first focus, as it opens, leaves it at its top

    @on(DescendantFocus)
    def _focus_moved(self) -> None:
        """Tab, Enter or a refusal moved the focus: to a field in view (see FormFoot)."""
        if self._focused_once:
            self.call_after_refresh(focused_in_view, self)
        self._focused_once = True

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.height < self.SHORT, "-short")

    def cancel_key(self) -> str:
        return self.key("cancel", "Esc")

    def enter_key(self) -> str:
        return self.key("enter", "Enter")

    @property
    def is_open(self) -> bool:
        """Still on the screen stack (not necessarily on top: the palette may be over it)."""
        return self in self.app.screen_stack

    def show_error(self, message: str, field: str = "", again: str | None = None) -> None:
        """Refused or failed: say why, keep what was typed. With the `field` it is about,
        that field has the focus at once, so what is typed next goes where it is wrong,
        and editing it clears the message. From now on Enter sends again from any field:
        the form has been gone through once (ActionForm); `again`, dim after the message,
        says so (by default " · Enter sends again" where there is more than one field, with
        the key [keys] gives it)."""
        self.busy = False
        self.refused_once = True
        self.error_field = field if field in self.INPUTS else ""
        submit = self.query_one(f"#{self.SUBMIT_ID}", Button)
        submit.disabled = False
        if self._submit_had_focus and not isinstance(self.focused, Input):
            self.set_focus(submit)  # disabled, it had passed the focus on (to Cancel!)
        self._submit_had_focus = False
        if again is None:
            again = f" · {self.enter_key()} sends again" if len(self.INPUTS) > 1 else ""
        self.query_one(f"#{self.ERROR_ID}", Static).update(
            Text.assemble((message, "bold red"), (again, "dim"))
        )
        if self.error_field:
            target = self.query_one(f"#{field}", Input)
            if field not in self.APPENDED:  # focused already (Enter was pressed in it) too
                target.selection = Selection(0, len(target.value))
            elif isinstance(target, Field) and self.focused is not target:
                target.end_on_focus = True
            self.set_focus(target)

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        if self.error_field and event.input.id == self.error_field and not self.busy:
            self.error_field = ""
            self.query_one(f"#{self.ERROR_ID}", Static).update("")

    def start_busy(self, sending: str) -> None:
        """`sending` is what goes to the backend, as a toast would name it."""
        self.busy = True
        self.sending = sending
        submit = self.query_one(f"#{self.SUBMIT_ID}", Button)
        self._submit_had_focus = self.focused is submit
        submit.disabled = True
        busy = (
            f"{self.BUSY_TEXT} (sent: {self.cancel_key()} closes this, and the outcome is still"
            " shown)"
        )
        self.query_one(f"#{self.ERROR_ID}", Static).update(Text(busy, style="italic"))

    def failure(self, cause: str, sent: bool | None) -> tuple[str, str | None]:
        """What the dialog says when the backend failed (`cause`, one line): the words,
        and what Enter does now (dim; None: show_error's default). `sent`: whether the
        change itself had gone out when it failed (None: not known)."""
        return f"failed: {cause}", None

    def refused(
        self, message: str, *, failed: bool = False, field: str = "", sent: bool | None = None
    ) -> None:
        """The App's answer: refused (or `failed`, the backend broke, with `sent` saying
        whether the change had gone out). In the dialog if it is still open, with the
        focus on `field` when the refusal names one of its inputs; if it was closed
        meanwhile, in a toast naming what was sent."""
        self.busy = False
        if self.is_open:
            said, again = self.failure(message, sent) if failed else (message, None)
            self.show_error(said, field, again)
            return
        verb = "failed" if failed else "refused"
        self.app.notify(
            message,
            title=f"{self.sending or 'Request'} {verb}",
            severity="error",
            timeout=self.REFUSED_TOAST_S,
        )

    def refuse_read_only(self) -> None:
        """Submitted after a switch to a read-only profile: nothing is sent, and sending
        again would not be either (no "Enter sends again")."""
        if self.is_open:
            self.show_error(form_read_only(self.cancel_key()), again="")
        else:
            self.refused(form_read_only())

    def finish(self, result: ResultT | None) -> None:
        """The App's answer: done. Close the dialog if it is still open (with the palette
        over it, once that is gone); never another screen in its place."""
        self.busy = False
        if self.app.screen is self:
            self.dismiss(result)
        elif self.is_open:
            self._finished = (result,)

    def on_screen_resume(self) -> None:
        if self._finished is not None:
            (result,) = self._finished
            self.dismiss(result)

    def leave(self, result: ResultT | None = None) -> None:
        """Esc or Cancel: close. Sent already, the request goes on: say so."""
        if self.busy:
            self.notify(
                f"{self.sending} is still being sent: its outcome will be shown when it"
                " comes back.",
                title="Still sending",
                markup=False,  # what is sent names data ("the grant for [dave]")
            )
        self.dismiss(result)


class ActionForm(RequestModal[ResultT]):
    """Enter walks through the fields and submits after the last; once a submit has been
    refused, Enter sends again from any field (fix the field it names, then Enter). Each
    form gives its Enter an id (enter_binding), so [keys] can move it; its field's own
    Enter (Input.Submitted) still submits then, as the revoke dialog's does."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "enter", NEXT_OR_SUBMIT, priority=True)
    ]

    def first_focus(self) -> str:
        return self.FIRST_FOCUS or (f"#{self.INPUTS[0]}" if self.INPUTS else "")

    def value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def submit(self) -> None:
        """Validate, then post the subclass's Submitted message (the App answers)."""
        raise NotImplementedError

    async def fields_settled(self) -> None:
        """Every field has taken the keys already sent to it (Enter is acted on before)."""
        await settled(*(self.query_one(f"#{field}", Input) for field in self.INPUTS))

    def _next_field(self, field: str) -> bool:
        """Enter in `field`: to the next field (True), or False: it is time to submit."""
        if field != self.INPUTS[-1] and not self.refused_once:
            self.set_focus(self.query_one(f"#{self.INPUTS[self.INPUTS.index(field) + 1]}"))
            return True
        return False

    async def action_enter(self) -> None:
        focused = self.focused
        if isinstance(focused, Input) and focused.id in self.INPUTS:
            if not self._next_field(focused.id) and not self.busy:
                await self.fields_settled()
                self.submit()
        elif isinstance(focused, Button):
            focused.press()
        else:
            raise SkipAction()  # anything else takes Enter itself

    @on(Input.Submitted)
    def _field_entered(self, event: Input.Submitted) -> None:
        """The field's own Enter, once [keys] has moved the form's: the same walk."""
        field = event.input.id
        if field in self.INPUTS:
            event.stop()
            if not self._next_field(field) and not self.busy:
                self.submit()

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == self.SUBMIT_ID:
            await self.fields_settled()
            self.submit()
        elif event.button.id == "cancel":
            self.leave()

    def action_cancel(self) -> None:
        self.leave()
