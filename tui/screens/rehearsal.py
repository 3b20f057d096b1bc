"""`R`: the rollback rehearsal. It rolls back a real environment on a real backend, so, as
HALT ALL does, it names what it acts on and asks for a reason and for the word ROLLBACK
typed out: Enter in the reason only moves on to the confirmation, and a stray Enter there
sends nothing either. Posts `RehearsalScreen.Submitted`; the App calls the release source
and then closes the dialog or calls `show_error`, which keeps everything as typed.

While it is open the App pushes in, once a second, the release it rolls back, where and
the last rehearsal's line, as the source reports them now (`update`). Once the latest
release is not the one it named when it opened (a cut published meanwhile), it says so
("the latest release is now … (was …)"); ROLLBACK typed before that is not taken for the
new release: the next Enter is refused once, saying so, and the one after triggers it.
A refusal from the backend (one already running) is shown until the last rehearsal's line
changes (that one finished): then the dialog says so, and that Enter sends again. One that
holds until a time (a rate limit) says once it has passed that Enter sends again.

A dispatch that went out and failed (its answer lost: a timeout) may have started a
rehearsal: the dialog says so, does not offer to send it again, and clears ROLLBACK; once
the last rehearsal's line changes (its run is listed) it says that it was sent. Another
needs ROLLBACK typed again, and the backend refuses it until the polls have shown whether
a run appeared. A backend that raised while it was starting one (`while_applying`, sent
not known) may have started it too: said so, and handled alike; only an error from
before that (`sent` False) reads "Nothing was started"."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from tui.screens.field import Field
from tui.screens.form import ActionForm, enter_binding
from tui.screens.form_foot import FormFoot

MIN_REASON = 10
CONFIRM_WORD = "ROLLBACK"


def named(version: str) -> str:
    return version or "none reported"


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
    /* 80x24: no blank lines between the fields, so what it rolls back stays in view above
       a note of two lines ("The latest release is now …") */
    RehearsalScreen.-short #rehearsal-box Label { margin-top: 0; }
    RehearsalScreen.-short #rehearsal-box .hint { margin-top: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        enter_binding("rehearsal.enter"),
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
        self.opened_with = version  # what it named when it opened
        self._refused_under: str | None = None  # the last rehearsal a shown refusal met
        self._lost_under: str | None = None  # the same, for a dispatch whose answer was lost
        self._lost_sent = True  # that one was sent (else it raised while being started)
        self._until: tuple[datetime, str] | None = None  # a refusal holds until; then says
        self.confirmed_for = version  # the release a confirmation is taken for

    @on(Input.Changed, "#rehearsal-confirm")
    def _typed_confirm(self) -> None:
        """ROLLBACK typed (or edited) with this release shown: the confirmation is for it."""
        self.confirmed_for = self.version

    def what(self) -> Text:
        """What it rolls back, where, and the last rehearsal; and since when it changed."""
        version = (
            Text.assemble((self.version, "bold"), " (the latest release)")
            if self.version
            else Text("the latest release (none reported yet)")
        )
        if self.version != self.opened_with:
            version.append(f"; was {named(self.opened_with)} when this opened", "bold yellow")
        return Text.assemble(
            "rolls back: ", version, "\nruns on: ", (self.target, "bold"), f"\n{self.last}"
        )

    def changed(self) -> str:
        return f"The latest release is now {named(self.version)} (was {named(self.confirmed_for)})"

    def update(self, version: str, target: str, last: str, now: datetime | None = None) -> None:
        """The App's feed: the source's latest release, where it runs, the last rehearsal
        (and the time, for a refusal that holds until then)."""
        moved = version != self.version
        self.version, self.target, self.last = version, target, last
        if not self.is_mounted:
            return
        try:
            what = self.query_one("#rehearsal-what", Static)
            error = self.query_one(f"#{self.ERROR_ID}", Static)
        except NoMatches:  # mounted, its widgets not yet: they compose with these values
            return
        what.update(self.what())
        if moved and not self.busy and version != self.confirmed_for:
            self._refused_under = None
            error.update(
                Text(f"{self.changed()}: this rolls back {named(version)}.", "bold yellow")
            )
        elif self._lost_under not in (None, last) and not self.busy:
            self._lost_under = self._refused_under = self._until = None
            since, then = (
                ("the dispatch whose answer was lost", "it was sent")
                if self._lost_sent
                else ("it failed while being started", "it may be that one")
            )
            error.update(
                Text.assemble(
                    (f"A rehearsal run is listed since {since}", "bold"),
                    f" ({last}): {then}. {self.cancel_key()} closes.",
                )
            )
        elif self._until is not None and now is not None and now >= self._until[0]:
            if not self.busy:
                over, self._until, self._refused_under = self._until[1], None, None
                again = f" · {self.enter_key()} sends again"
                error.update(Text.assemble((over, "bold yellow"), (again, "dim")))
        elif self._refused_under not in (None, last) and not self.busy:
            self._refused_under = None  # what it was refused for (one running) is over
            error.update(
                Text.assemble(
                    ("The rehearsal has changed since it was refused", "bold yellow"),
                    f" ({last})",
                    (f" · {self.enter_key()} sends again", "dim"),
                )
            )

    def show_error(self, message: str, field: str = "", again: str | None = None) -> None:
        self._refused_under = self._until = None
        super().show_error(message, field, again)

    def failure(self, cause: str, sent: bool | None) -> tuple[str, str | None]:
        """Sent (its answer lost), or raised while it was being started (sent: None, not
        known), it may have started: no "Enter sends again". Only an error from before
        (sent: False) started nothing."""
        if sent:
            return (
                f"Sent, but its outcome is unknown: {cause}. The rehearsal may have started.",
                " Its run shows as the last rehearsal above once listed; until then another"
                f" is refused. {CONFIRM_WORD} was cleared.",
            )
        if sent is False:
            return f"failed: {cause}. Nothing was started.", None
        return (
            f"failed while it was being started: {cause}. The rehearsal may have started.",
            " Its run shows as the last rehearsal above once listed: check there before"
            f" sending another. {CONFIRM_WORD} was cleared.",
        )

    def refused(
        self,
        message: str,
        *,
        failed: bool = False,
        field: str = "",
        sent: bool | None = None,
        until: datetime | None = None,
        over: str = "",
    ) -> None:
        """The backend's refusal, shown until the rehearsal it was given under changes, or
        `until` (with `over` to say then). Failed after it was `sent`, or while it was
        being started (`sent` None): it may have started, so ROLLBACK is cleared (a fresh
        confirmation for another), and the dialog says so once the last rehearsal's line
        shows a new run."""
        maybe = failed and sent is not False
        if maybe and not self.is_open:  # closed meanwhile: the toast says it too
            was = "it was sent" if sent else "it failed while being started"
            message = f"{message}: {was}, the rehearsal may have started"
        super().refused(message, failed=failed, field=field, sent=sent)
        if not self.is_open:
            return
        self._until = (until, over) if until is not None and over else None
        if maybe:
            self._lost_under, self._lost_sent = self.last, bool(sent)
            confirm = self.query_one("#rehearsal-confirm", Input)
            confirm.value = ""
            self.set_focus(confirm)
        elif not field:  # one naming a field is about what was typed
            self._refused_under = self.last

    def compose(self) -> ComposeResult:
        with Vertical(id="rehearsal-box"):
            yield Static(Text("Trigger the rollback rehearsal", style="bold"))
            yield Static(self.what(), id="rehearsal-what")
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
            with FormFoot():  # in view: the fields scroll above it if need be
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
        if self.version != self.confirmed_for:  # it moved on since it was shown: say so once
            said = self.changed()
            self.confirmed_for = self.version
            self.show_error(f"{said}: this rolls back {named(self.version)}.")
            return
        self.start_busy(
            f"Rollback rehearsal of {self.version}" if self.version else "Rollback rehearsal"
        )
        self.post_message(self.Submitted(self, reason))
