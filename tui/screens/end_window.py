"""`e` on a fault window (in the faults pane, or in its details): end it now, with a reason.

It named nothing and asked nothing: the audit trail, the timeline, the report and `faults
list` all said "ended from the dashboard". Now the dialog names the window (target, what
it injects, when it started or starts, how long it has left) and asks why, as revoke does
(at least MIN_REASON characters; backends.fault_ends.end_reason_problem, as `watchfloor
faults end --reason` checks it); Enter ends it, Esc cancels. Posts
`EndWindowScreen.Submitted`; the App ends the window through the FaultSource and closes
the dialog or calls `refused` (another ended it first: who, when and why). While it is
open the App pushes the time and the window as the faults source lists it once a second
(`set_now`), so the time left runs down and an end from elsewhere shows: it kept its last
message and its End button then, as if there were still something to end. Now, once the
window has ended (another dashboard, the command line, its own end) or is no longer
listed, the dialog says so in place of its message, End is disabled, and Enter sends
nothing (`over`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from backends.durations import delay as delay_text
from backends.fault_ends import MIN_END_REASON, end_reason_problem
from backends.fault_times import clock
from backends.faults_core import cancelled
from backends.models import FaultSpec, FaultWindow, WindowState
from tui.fmt import ago, duration
from tui.screens.field import Field
from tui.screens.form import ActionForm
from tui.screens.form_foot import FormFoot


def injects(s: FaultSpec) -> str:
    """What the window injects: "delay 300ms on 20%, abort HTTP 503 on 5%"."""
    parts = []
    if s.delay_percent:
        parts.append(f"delay {delay_text(s.delay_ms)} on {s.delay_percent:g}% of requests")
    if s.abort_percent:
        parts.append(f"abort HTTP {s.abort_status} on {s.abort_percent:g}% of requests")
    return ", ".join(parts) or "nothing"


def when_words(w: FaultWindow, now: datetime) -> Text:
    """When it started (or starts) and how long it has left; ended, how."""
    today = now.astimezone(UTC).date()
    state = w.state(now)
    if state is WindowState.ENDED:
        how = "cancelled" if cancelled(w) else "ended"
        why = f": {w.end_reason}" if w.end_reason else ""
        return Text(f"{how} already{why}", style="bold red")
    if w.started_at is not None:
        started = f"started {clock(w.started_at, today)}Z ({ago(now - w.started_at)} ago)"
    elif state is WindowState.SCHEDULED:  # not "1h49m left": none of it has run
        starts = f"starts {clock(w.starts_at, today)}Z (in {duration(w.starts_at - now)})"
        runs = duration(w.ends_at - w.starts_at)
        return Text(f"{starts} for {runs}; not started: ending it cancels it")
    else:
        started = f"due {clock(w.starts_at, today)}Z, not started: ending it cancels it"
    return Text(f"{started}; {duration(w.ends_at - now)} left")


class EndWindowScreen(ActionForm[bool]):
    INPUTS = ("reason",)
    SUBMIT_ID = "end"
    ERROR_ID = "end-error"
    BUSY_TEXT = "ending…"
    DEFAULT_CSS = """
    EndWindowScreen { align: center middle; }
    #end-box {
        width: 76; height: auto; padding: 1 2;
        max-width: 100%; max-height: 100%; overflow-y: auto;  /* 80x24 scrolls, keeps every field */
        border: round $warning; background: $surface;
    }
    #end-box .hint { color: $text-muted; margin: 1 0; }
    #end-error { height: auto; margin-top: 1; }
    #end-buttons { height: auto; margin-top: 1; }
    #end-buttons Button { margin-right: 2; }
    EndWindowScreen.-short #end-box .hint { margin: 0; }  /* 80x24: no blank lines */
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "enter", "End window", id="end.enter", priority=True),
        Binding("escape", "cancel", "Cancel", id="end.cancel", priority=True),
    ]

    class Submitted(Message):
        def __init__(self, screen: EndWindowScreen, window_id: str, reason: str) -> None:
            super().__init__()
            self.screen = screen
            self.window_id = window_id
            self.reason = reason

    def __init__(self, window: FaultWindow, now: datetime) -> None:
        super().__init__()
        self.window = window
        self.now = now
        self.over = ""  # why there is nothing to end any more ("" while there is)
        self._told = False  # the backend refused this end ("already ended by alice at …")

    @property
    def target(self) -> str:
        return f"{self.window.spec.namespace}/{self.window.spec.target_host}"

    def what(self) -> Text:
        """Which window: target, what it injects, when it started, what is left."""
        w = self.window
        return Text.assemble(
            (self.target, "bold"),
            f": {injects(w.spec)}\n",
            when_words(w, self.now),
            f"\n({w.id}, owner {w.owner}: ",
            (w.reason, "italic"),
            ")",
        )

    def refused(
        self, message: str, *, failed: bool = False, field: str = "", sent: bool | None = None
    ) -> None:
        """RequestModal's, noting that the backend refused (not failed): its words stay
        when the next poll then shows the window ended (set_now)."""
        self._told = not failed and not field
        super().refused(message, failed=failed, field=field, sent=sent)

    def hint(self) -> str:
        """What ending does: a fault in the mesh comes out; one not in it never goes in."""
        does = (
            "Its fault comes out of the mesh at once."
            if self.window.applied
            else "Its fault is not in the mesh: ending it now, it never goes in."
        )
        return (
            f"{does} Audited under your name, with this reason (at least {MIN_END_REASON}"
            " characters)."
        )

    def set_now(self, now: datetime, window: FaultWindow | None) -> None:
        """The time, and the window as the faults source lists it now (None: not listed;
        it is kept as it was, and nothing is to end)."""
        self.now = now
        self.window = window or self.window
        if self.is_mounted and self.is_open:  # closed meanwhile: not drawn
            for line in self.query("#end-what").results(Static):
                line.update(self.what())
            for line in self.query("#end-hint").results(Static):
                line.update(self.hint())
            if not self.over and not self.busy and (why := self.gone_words(window)):
                self.over = why
                if not self._told:  # the backend's refusal says it already, who and when
                    self.show_error(f"{why}: nothing to end. {self.cancel_key()} closes.", again="")
                self.query_one(f"#{self.SUBMIT_ID}", Button).disabled = True

    def gone_words(self, listed: FaultWindow | None) -> str:
        """Why there is nothing to end now ("" while there is): ended meanwhile, how and
        by whom as its end reason says, or no longer listed."""
        w = self.window
        if listed is None:
            return f"{w.id} is no longer listed by the faults source"
        if w.state(self.now) is not WindowState.ENDED or w.applied:
            return ""
        why = f" ({w.end_reason})" if w.end_reason else ""
        return f"{w.id} was already {'cancelled' if cancelled(w) else 'ended'}{why}"

    def compose(self) -> ComposeResult:
        with Vertical(id="end-box"):
            yield Static(Text("End fault window now", style="bold"))
            yield Static(self.what(), id="end-what")
            yield Static(self.hint(), classes="hint", id="end-hint")
            yield Field(placeholder="e.g. drill over, checkout alerts paged", id="reason")
            with FormFoot():  # in view: the fields scroll above it if need be
                yield Static("", id="end-error")
                with Horizontal(id="end-buttons"):
                    yield Button(f"End {self.window.id}", variant="warning", id="end")
                    yield Button("Cancel", id="cancel")

    def failure(self, cause: str, sent: bool | None) -> tuple[str, str | None]:
        return f"End of {self.window.id} failed: {cause}", f" {self.enter_key()} tries again."

    def submit(self) -> None:
        if self.busy or self.over:  # ended meanwhile: said, nothing is sent
            return
        reason = " ".join(self.value("reason").split())
        if why := end_reason_problem(reason):
            self.show_error(why, "reason")  # the focus there; typing in it clears this
            return
        self.start_busy(f"End of window {self.window.id} on {self.target}")
        self.post_message(self.Submitted(self, self.window.id, reason))
