"""`r` on a grant: revoke it. Give a reason, then confirm.

Enter in the reason moves to the confirmation; the Revoke button (or Enter on it) posts
`RevokeScreen.Submitted`. Enter is a priority binding, as in the other forms (form.py): it
waits for the reason to take the keys typed before it, and the footer shows it. The App
revokes through the GrantSource and then closes the screen or calls `refused`, keeping the
reason as typed (closed meanwhile: a toast, see RequestModal). While the screen is open
the App pushes the time in once a second (`set_now`), and whether the grants source still
lists the grant: the countdown runs on, once it has passed its expiry the screen says how
long ago, and once the grant is gone (revoked from another terminal, reaped) it says so,
which (by whom, when the source says), and Revoke sends nothing. A revoke the backend
refuses because the grant went in the second before the next poll says the same (the App
looks again and calls `set_now` before `refused`), not the backend's "no active grant".
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from backends.grant_rules import MIN_REASON_CHARS, MIN_REASON_WORDS, reason_problem
from backends.models import Grant, GrantEnded
from tui.fmt import duration
from tui.screens.field import Field
from tui.screens.form import RequestModal
from tui.screens.form_foot import FormFoot
from tui.settle import settled

GONE, WHY = "no longer listed", "revoked elsewhere"
UNKNOWN = "not revoked or expired here"  # its source does not say how
UNLISTED = f"{UNKNOWN}: no revoke on record"  # OPA lost it (restarted)


class RevokeScreen(RequestModal[bool]):
    FIRST_FOCUS = "#reason"
    INPUTS = ("reason",)
    SUBMIT_ID = "confirm"
    ERROR_ID = "revoke-error"
    BUSY_TEXT = "revoking…"
    DEFAULT_CSS = """
    RevokeScreen { align: center middle; }
    #revoke-box {
        width: 76; height: auto; padding: 1 2;
        max-width: 100%; max-height: 100%; overflow-y: auto;  /* 80x24 scrolls, keeps every field */
        border: round $error; background: $surface;
    }
    #revoke-box .hint { color: $text-muted; margin: 1 0; }
    #revoke-error { height: auto; margin-top: 1; }
    #revoke-buttons { height: auto; margin-top: 1; }
    #revoke-buttons Button { margin-right: 2; }
    RevokeScreen.-short #revoke-box .hint { margin: 0; }  /* 80x24: no blank lines */
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # the reason, then the Revoke button: the same words as the other forms' Enter
        Binding(
            "enter", "enter", "Next field, submit after the last", id="revoke.enter", priority=True
        ),
        Binding("escape", "cancel", "Cancel", id="revoke.cancel", priority=True),
    ]

    class Submitted(Message):
        def __init__(self, screen: RevokeScreen, grant_id: str, reason: str) -> None:
            super().__init__()
            self.screen = screen
            self.grant_id = grant_id
            self.reason = reason

    def __init__(self, grant: Grant, now: datetime) -> None:
        super().__init__()
        self.grant = grant
        self.now = now
        self.listed = True  # the grants source still lists it (the App says when not)
        self.gone_at = now
        self.ended: GrantEnded | None = None  # how it ended, when the source says

    def why_gone(self, *, live: bool = True) -> str:
        """Revoked (by whom, when the source says), or it ran out: the source says which
        (`how`: one that ran out may still name who reaped it), else gone past its expiry
        means it ran out (and was reaped), before it revoked. `live`: with how long ago it
        expired (the heading, which is updated every second; the message below is not, and
        says no age that would soon be wrong)."""
        end = self.ended
        if end is not None and end.how == "revoked":
            return f"{WHY} by {end.revoked_by}" if end.revoked_by else WHY
        if end is not None and end.how == "unlisted":
            return UNLISTED
        if end is None and not self.grant.expired(self.gone_at):
            return UNKNOWN
        if not live:
            return "it expired"
        return f"it expired {duration(self.now - self.grant.expires_at)} ago"

    def gone_text(self, *, sent: bool = False) -> str:
        """Why nothing was revoked: the grant is gone, which way (and why, when known)."""
        end = self.ended
        why = self.why_gone(live=False)
        if end is not None and end.how == "revoked" and end.reason:
            why += f": {end.reason}"
        what = "the revoke sent found it gone, nothing was done" if sent else "nothing was sent"
        return f"{self.grant.id} is {GONE} ({why}): {what}." + (
            f" {self.cancel_key()} closes." if self.is_open else ""
        )

    def holding(self) -> Text:
        """Who holds what, and how long it has left (or since when it is past its expiry);
        once it is gone, who held what."""
        g = self.grant
        left = g.remaining(self.now).total_seconds()
        if not self.listed:
            when = Text(f"{GONE}: {self.why_gone()}", style="bold red")
        elif left > 0:
            when = Text(f"expires in {duration(left)}")
        else:
            when = Text(f"expired {duration(-left)} ago", style="bold red")
        return Text.assemble(
            (g.subject, "bold"),
            " holds " if self.listed else " held ",
            (g.role, "bold"),
            f" ({g.id}, granted by {g.granted_by}, ",
            when,
            ")\n",
            (g.reason, "italic"),
        )

    def set_now(
        self, now: datetime, *, listed: bool = True, ended: GrantEnded | None = None
    ) -> None:
        """The time, whether the grants source still lists the grant, and how it ended
        when the source says."""
        if self.listed and not listed:
            self.gone_at = now  # when it was first seen gone
        self.now = now
        self.listed = listed
        self.ended = None if listed else ended or self.ended
        if self.is_mounted and self.is_open:  # closed (Esc while sending): not drawn
            # none while the app shuts down (the screen is still stacked, its widgets gone)
            for line in self.query("#revoke-holding").results(Static):
                line.update(self.holding())

    def compose(self) -> ComposeResult:
        g = self.grant
        with Vertical(id="revoke-box"):
            yield Static(Text("Revoke break-glass access", style="bold"))
            yield Static(self.holding(), id="revoke-holding")
            yield Static(
                "Audited under your name, with this reason:"
                f" {MIN_REASON_CHARS}+ characters, {MIN_REASON_WORDS}+ words.",
                classes="hint",
            )
            yield Field(placeholder="e.g. INC-4711 mitigated, access no longer needed", id="reason")
            with FormFoot():  # in view: the fields scroll above it if need be
                yield Static("", id="revoke-error")
                with Horizontal(id="revoke-buttons"):
                    yield Button(f"Revoke {g.id}", variant="error", id="confirm")
                    yield Button("Cancel", id="cancel")

    def gone(self) -> bool:
        """The grant is no longer listed: say so (nothing is sent)."""
        if not self.listed:
            self.show_error(self.gone_text())
        return not self.listed

    def failure(self, cause: str, sent: bool | None) -> tuple[str, str | None]:
        """Why, whether the revoke itself had gone out, and that Enter sends it again (the
        focus is on Revoke): a revoke that did go through is then refused, as gone."""
        said = f"Revoke of {self.grant.id} failed: {cause}."
        if sent is False:
            said += " Nothing was revoked."
        elif sent:
            said += " It was sent: the backend may have revoked it."
        return said, f" {self.enter_key()} sends again."

    def _reason(self) -> str | None:
        reason = " ".join(self.query_one("#reason", Input).value.split())
        if problem := reason_problem(reason):
            self.show_error(  # focuses the reason; typing in it clears the message
                f"A revoke needs a reason: {problem}.", field="reason"
            )
            return None
        return reason

    async def action_enter(self) -> None:
        focused = self.focused
        reason = self.query_one("#reason", Input)
        if focused is reason:
            await settled(reason)
            self._entered_reason()
        elif isinstance(focused, Button):
            focused.press()
        else:
            raise SkipAction()  # anything else takes Enter itself

    @on(Input.Submitted, "#reason")  # Enter remapped in [keys]: the field's own Enter
    def _entered_reason(self) -> None:
        if self._reason() is not None and not self.gone():
            self.query_one("#revoke-error", Static).update(
                Text(f"Press {self.enter_key()} again to revoke {self.grant.id} now.", "bold")
            )
            self.set_focus(self.query_one("#confirm", Button))  # now, not after the burst

    @on(Button.Pressed, "#confirm")
    def _confirmed(self) -> None:
        if self.busy:
            return
        reason = self._reason()
        if reason is None or self.gone():
            return
        g = self.grant
        self.start_busy(f"Revoke of {g.id} ({g.subject})")
        self.post_message(self.Submitted(self, g.id, reason))

    @on(Button.Pressed, "#cancel")
    def _pressed_cancel(self) -> None:
        self.leave(False)

    def action_cancel(self) -> None:
        self.leave(False)
