"""`p`: policy dry-run. Pick a candidate policy file and how many recent decisions to
replay; Enter (`replay.run` in [keys]) runs it (the App does the work and pushes progress
and the report in).
Shows the flips, allow->deny and deny->allow, grouped by service and tenant. Nothing is
ever applied: the candidate is only evaluated, in-process.

Esc while a replay runs stops it (`stop_run`, the App's) and the dialog stays, saying
"cancelled" and what was replayed until then; Esc again closes it. Esc a second time
while the stop is still under way closes it at once: what comes back, the flips or a
failure, is then a toast naming the candidate (as RequestModal's outcomes are).

What the table and the status show is always the latest attempt's: a new run, or a
refused one, clears the last report; the progress bar shows only while a run goes on and
beside its report, and a cancelled run's stays where it stopped (not at 100 %).

While a run goes on its fields are held (disabled, the focus on the table): the path
field kept the focus with its text selected (`p` opens it so), and a q typed then, or
any key, replaced the path. Once the run is over the focus goes back to the field that
had it, the cursor after its text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.widgets import Input, Label, ProgressBar, Static

from backends.replay import ReplayReport
from backends.replay_words import scope, warnings
from tui.footer import KeyFooter
from tui.panes.keyed_table import Column, KeyedTable
from tui.screens.field import Field
from tui.screens.form import TypeAheadModal
from tui.settle import settled


class ReplayScreen(TypeAheadModal[None]):
    FIRST_FOCUS = "#replay-file"
    DEFAULT_CSS = """
    ReplayScreen { align: center middle; }
    #replay-box {
        width: 90%; height: 85%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #replay-form { height: auto; }
    #replay-form Input { width: 1fr; }
    #replay-limit { max-width: 16; }
    #replay-box ProgressBar { margin: 1 0 0 0; visibility: hidden; }
    #replay-box KeyedTable { height: 1fr; }
    #replay-status { margin: 1 0 0 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority, as a form's Enter (tui/screens/form.py): the field's own Enter, once
        # [keys] has moved this one, runs it too (on_input_submitted)
        Binding("enter", "run", "Run replay", id="replay.run", priority=True),
        Binding("escape", "close", "Close", id="replay.close", priority=True),
    ]
    FAILED_TOAST_S: ClassVar[float] = 15.0  # a failure after Esc stays a while
    progress: var[tuple[int, int]] = var((0, 0), init=False)
    report: var[ReplayReport | None] = var(None, init=False)
    running: var[bool] = var(False, init=False)

    @dataclass
    class Submitted(Message):
        screen: ReplayScreen
        candidate: str
        limit: int

    def __init__(self, candidate: str, limit: int = 1000, note: str = "") -> None:
        super().__init__()
        self.candidate = candidate
        self.limit = limit
        self.note = note
        self.what = "Policy dry-run"  # as its toasts name it, with the candidate once run
        self.stop_run: Callable[[], None] | None = None  # the App's: stops the run going on
        self.stopping = False  # Esc asked the run to stop; it has not answered yet
        self._held_focus = ""  # the field that had the focus when the run started

    def compose(self) -> ComposeResult:
        with Vertical(id="replay-box") as box:
            box.border_title = "Policy dry-run · replay recent decisions (nothing is applied)"
            yield Label("candidate policy file, and how many of the latest decisions:")
            with Horizontal(id="replay-form"):
                yield Field(
                    self.candidate, placeholder="e.g. policy/candidate.rego", id="replay-file"
                )
                yield Field(str(self.limit), type="integer", id="replay-limit")
            yield ProgressBar(total=None, show_eta=False, id="replay-progress")
            yield Static(Text(self.note), id="replay-status")  # its key once mounted (on_mount)
            yield KeyedTable(
                "service · tenant",
                Column("replayed", right=True),
                Column("allow→deny", right=True),
                Column("deny→allow", right=True),
                id="replay-table",
                zebra_stripes=True,
            )
        yield KeyFooter()

    def on_mount(self) -> None:  # TypeAheadModal's runs too (Textual calls each class's)
        if not self.note:  # the key as [keys] has it: "f2 runs the replay."
            says = Text(f"{self.run_key()} runs the replay.")  # a key name is not markup
            self.query_one("#replay-status", Static).update(says)

    def run_key(self) -> str:
        return self.key("run", "Enter")

    async def action_run(self) -> None:
        fields = self.query("#replay-form Input").results(Input)
        if self.focused not in list(fields):
            raise SkipAction()  # the table takes Enter itself
        await settled(*self.query("#replay-form Input").results(Input))
        self._run()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._run()

    def _run(self) -> None:
        if self.running:
            return
        path = self.query_one("#replay-file", Input).value.strip()
        try:
            limit = int(self.query_one("#replay-limit", Input).value or "0")
        except ValueError:
            limit = 0
        if not path:
            self.show_error("give a candidate policy file", "replay-file")
            return
        if limit <= 0:
            self.show_error("give a number of decisions above 0", "replay-limit")
            return
        self._clear()
        self.running, self.stopping, self.stop_run = True, False, None
        self.what = f"Policy dry-run of {Path(path).name}"
        self.query_one(ProgressBar).update(total=None, progress=0)  # reading the decisions
        self.query_one("#replay-status", Static).update(  # a file name is not markup
            Text(f"{Path(path).name}: replaying up to {limit:,} decisions…")
        )
        self.post_message(self.Submitted(self, path, limit))

    def _clear(self) -> None:
        """Forget the last report: its flips are not the next candidate's."""
        self.report = None
        self.query_one(KeyedTable).set_rows({})
        self.query_one(ProgressBar).update(total=None, progress=0)  # not the last run's 100 %

    @property
    def is_open(self) -> bool:
        """Still on the screen stack (Esc closes it while a replay may still run)."""
        return self in self.app.screen_stack

    def action_close(self) -> None:
        """Esc: while a run goes on, stop it (the dialog says "cancelled"); else, or
        pressed again while it stops, close."""
        if self.running and not self.stopping and self.stop_run is not None:
            self.stopping = True
            self.stop_run()
            self.query_one("#replay-status", Static).update(
                Text(f"{self.what}: stopping… (Esc again closes)", style="yellow")
            )
            return
        if self.running:
            self.notify(
                f"{self.what} is still stopping: its outcome will be shown when it is done.",
                title="Still running",
                markup=False,  # "Policy dry-run of [x].rego" is a file name, not markup
            )
        self.dismiss()

    def cancelled(self) -> None:
        """The App's answer: the run was stopped before it replayed anything. In the
        dialog, or once it is closed (Esc twice), in a toast."""
        self.running = False
        text = f"{self.what}: cancelled before any decision was replayed"
        if self.is_open:
            self.query_one("#replay-status", Static).update(Text(text, style="yellow"))
        else:
            self.app.notify(text, title="Policy dry-run")

    def failed(self, text: str) -> None:
        """The App's answer: the replay could not run. In the dialog, or once it is
        closed, in a toast."""
        self.running = False
        if self.is_open:
            self.show_error(text)
        else:
            self.app.notify(
                text, title=f"{self.what} failed", severity="error", timeout=self.FAILED_TOAST_S
            )

    def set_progress(self, done: int, total: int) -> None:
        if self.is_open:
            self.progress = (done, total)

    def done(self, report: ReplayReport) -> None:
        """The App's answer: the report, shown if the dialog is still open (the App's
        toast says the flips either way)."""
        self.running = False
        if self.is_open:
            self.report = report

    def show_error(self, text: str, field: str = "") -> None:
        """Say why it did not run; with the `field` at fault, the focus goes there."""
        self.running = False
        if field:
            self.query_one(f"#{field}", Input).focus()
        self._clear()
        self.query_one("#replay-status", Static).update(Text(text, style="bold red"))

    def watch_running(self, running: bool) -> None:
        self._show_progress()
        if self.is_open:  # closed meanwhile: its widgets are gone
            self._hold_fields(running)

    def _hold_fields(self, hold: bool) -> None:
        """While a run goes on, keys do not edit what it was started with."""
        fields = list(self.query("#replay-form Field").results(Field))
        if hold:
            focused = self.focused
            self._held_focus = focused.id or "" if isinstance(focused, Field) else ""
            self.set_focus(self.query_one(KeyedTable))
        for field in fields:
            field.disabled = hold
        if not hold and self._held_focus and not isinstance(self.focused, Field):
            back = self.query_one(f"#{self._held_focus}", Field)
            back.end_on_focus = True  # typed after its text, not over it
            self.set_focus(back)

    def _show_progress(self) -> None:
        """The bar while a run goes on and beside its report; hidden otherwise (its
        animated "--%" read as a run going on). Not once closed: its widgets are gone."""
        if not self.is_open:
            return
        shown = self.running or self.report is not None
        self.query_one(ProgressBar).styles.visibility = "visible" if shown else "hidden"

    def watch_progress(self, value: tuple[int, int]) -> None:
        done, total = value
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def watch_report(self, report: ReplayReport | None) -> None:
        self._show_progress()
        if report is None:
            return
        self.running = False
        total = report.available if report.cancelled else report.replayed  # where it stopped
        self.query_one(ProgressBar).update(total=max(total, 1), progress=report.replayed)
        name = Path(report.candidate.split(", ")[0]).name
        status = Text.assemble(
            f"{name}: replayed {scope(report)} in {report.seconds:.2f}s: ",
            (f"{report.allow_to_deny:,} allow→deny", "bold red" if report.allow_to_deny else ""),
            ", ",
            (
                f"{report.deny_to_allow:,} deny→allow",
                "bold yellow" if report.deny_to_allow else "",
            ),
            f", {report.unchanged:,} unchanged",
        )
        if report.errors:
            status.append(f", {report.errors:,} errors: {report.first_error}", "bold red")
        if report.cancelled:
            status.append(
                f" (cancelled after {report.replayed:,} of {report.available:,})", "yellow"
            )
        if not report.groups and report.errors:
            evaluated = report.replayed - report.errors
            status.append(f" · no flips among the {evaluated:,} evaluated", "yellow")
        elif not report.groups:
            status.append(" · no outcome flips", "green")
        for warning in warnings(report):
            status.append(f"\nwarning: {warning}", "yellow")
        self.query_one("#replay-status", Static).update(status)
        rows = {
            f"{g.service} · {g.tenant}": (
                f"{g.service} · {g.tenant}",
                Text(f"{g.replayed:,}", justify="right"),
                Text(
                    f"{g.allow_to_deny:,}", style="red" if g.allow_to_deny else "", justify="right"
                ),
                Text(
                    f"{g.deny_to_allow:,}",
                    style="yellow" if g.deny_to_allow else "",
                    justify="right",
                ),
            )
            for g in report.groups
        }
        self.query_one(KeyedTable).set_rows(rows)
