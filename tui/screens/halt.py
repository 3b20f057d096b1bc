"""`H`: HALT ALL. Removes every managed fault in every namespace, so it asks for a reason
and for the word HALT typed out; a stray key press cannot do it. Posts
`HaltScreen.Submitted`; the App calls the FaultSource and closes or shows the error."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from backends.models import HealthState, SourceHealth
from tui.screens.field import Field
from tui.screens.form import ActionForm, enter_binding
from tui.screens.form_foot import FormFoot

CONFIRM_WORD = "HALT"


class HaltScreen(ActionForm[int | None]):
    INPUTS = ("halt-reason", "halt-confirm")
    APPENDED = frozenset({"halt-reason"})
    SUBMIT_ID = "halt"
    ERROR_ID = "halt-error"
    BUSY_TEXT = "halting…"
    DEFAULT_CSS = """
    HaltScreen { align: center middle; }
    #halt-box {
        width: 72; height: auto; padding: 1 2;
        max-width: 100%; max-height: 100%; overflow-y: auto;  /* 80x24 scrolls, keeps every field */
        border: heavy $error; background: $surface;
    }
    #halt-box Label { margin-top: 1; color: $text-muted; }
    #halt-error { height: auto; margin-top: 1; }
    #halt-buttons { height: auto; margin-top: 1; }
    #halt-buttons Button { margin-right: 2; }
    HaltScreen.-short #halt-box Label { margin-top: 0; }  /* 80x24: no blank lines */
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        enter_binding("halt.enter"),
        Binding("escape", "cancel", "Cancel", id="halt.cancel", priority=True),
    ]

    class Submitted(Message):
        def __init__(self, screen: HaltScreen, reason: str) -> None:
            super().__init__()
            self.screen = screen
            self.reason = reason

    def __init__(self, open_windows: int | None, backend: str, failing: str = "") -> None:
        """`open_windows`: as the faults pane last saw them, None if its source has never
        answered; `failing`: the source's error, if it is failing now."""
        super().__init__()
        self.open_windows = open_windows
        self.backend = backend
        self.failing = failing

    @staticmethod
    def known(health: SourceHealth | None, open_windows: int) -> tuple[int | None, str]:
        """For the faults source as it last reported: `open_windows` as it saw them,
        unknown (None, not 0) if it has never answered, and its error while failing."""
        failing = health is not None and health.state is HealthState.ERROR
        answered = health is not None and (not failing or health.last_ok_at is not None)
        why = (health.last_error or "no answer") if health is not None and failing else ""
        return (open_windows if answered else None), why

    @classmethod
    def of(cls, health: SourceHealth | None, open_windows: int, backend: str) -> HaltScreen:
        seen, failing = cls.known(health, open_windows)
        return cls(seen, backend, failing)

    def update(self, health: SourceHealth | None, open_windows: int) -> None:
        """The App's feed while the dialog is open: the faults source's latest snapshot
        (a window scheduled from another terminal meanwhile counts)."""
        self.open_windows, self.failing = self.known(health, open_windows)
        if not self.is_mounted:
            return
        try:
            what = self.query_one("#halt-what", Static)
            failing = self.query_one("#halt-failing", Static)
        except NoMatches:  # mounted, its widgets not yet: they compose with these values
            return
        what.update(self.what())
        failing.update(self.failing_text())
        failing.display = bool(self.failing)

    def seen(self) -> str:
        if self.open_windows is None:
            return "open windows unknown: the faults source has not answered"
        seen = f"{self.open_windows} open window(s) seen"
        return f"{seen} before the faults source began failing" if self.failing else seen

    def what(self) -> str:
        return (
            f"Removes every watchfloor-managed fault in every namespace ({self.backend}"
            f" backend; {self.seen()}) and restores the routes."
            " Audited. Nothing else is touched."
        )

    def failing_text(self) -> Text:
        return Text(f"The faults source is failing: {self.failing}", style="yellow")

    def failure(self, cause: str, sent: bool | None) -> tuple[str, str | None]:
        """A HALT ALL can have removed some faults before it failed: never "nothing"."""
        again = f": {self.enter_key()} tries again."
        return f"HALT ALL failed: {cause}. Faults may still be in the mesh", again

    def compose(self) -> ComposeResult:
        with Vertical(id="halt-box"):
            yield Static(Text("HALT ALL fault injection", style="bold red"))
            yield Static(self.what(), id="halt-what")
            failing = Static(self.failing_text(), id="halt-failing")
            failing.display = bool(self.failing)
            yield failing
            yield Label("reason")
            yield Field(placeholder="e.g. pager fired: checkout errors", id="halt-reason")
            yield Label(f"type {CONFIRM_WORD} to confirm")
            yield Field(id="halt-confirm")  # empty: a dim HALT there read as typed already
            with FormFoot():  # in view: the fields scroll above it if need be
                yield Static("", id="halt-error")
                with Horizontal(id="halt-buttons"):
                    yield Button("HALT ALL", variant="error", id="halt")
                    yield Button("Cancel", id="cancel")

    def submit(self) -> None:
        if self.busy:
            return
        reason = " ".join(self.query_one("#halt-reason", Input).value.split())
        confirm = self.query_one("#halt-confirm", Input)
        if reason == CONFIRM_WORD and not confirm.value.strip():  # typed first, as invited
            with self.prevent(Input.Changed):  # not an edit that clears the message
                confirm.value, self.query_one("#halt-reason", Input).value = CONFIRM_WORD, ""
            self.show_error(
                f"{CONFIRM_WORD} went into the reason; it is in the confirm field now."
                " Say why here",
                "halt-reason",
                again=f", then {self.enter_key()} halts.",
            )
            return
        if not reason:
            self.show_error("a reason is required", "halt-reason")
            return
        if confirm.value.strip() != CONFIRM_WORD:
            self.show_error(f"type {CONFIRM_WORD} (in capitals) to confirm", "halt-confirm")
            return
        self.start_busy("HALT ALL")
        self.post_message(self.Submitted(self, reason))
