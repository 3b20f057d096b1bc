"""`f`: schedule a fault window. Target, delay and abort with their percentages, when and
how long, optional guards that end it early and the route they watch (one the latency
pane shows: it is suggested as it is typed, → takes it), and a reason.

The screen never calls a backend: it refuses what the faults backend's guardrails refuse
(its protected namespaces, no percentage, over its cap, too long: the limits the App hands
it as it opens it; the defaults without) on the spot, every problem at once, and otherwise
posts `FaultWindowScreen.Submitted`; the App runs it through the FaultSource (which checks
again, with policy) and then closes the screen or calls `show_error`, keeping the input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Static

from backends.faults_core import Limits
from backends.models import FaultRequest, FaultWindow, LatencySnapshot
from tui.fault_requests import (
    DEFAULTS,
    FIELDS,
    LABELS,
    BadFaultInput,
    fault_request,
    form_limits,
    protected_words,
)
from tui.screens.field import Field
from tui.screens.form import ActionForm, enter_binding
from tui.screens.form_foot import FormFoot

# Placeholders are examples, never values: an empty target is refused, not filled in with
# something that only looks chosen. Where empty means a default, they show the default.
PLACEHOLDERS = {
    "host": "e.g. docs-api",
    "namespace": "e.g. stage",
    "delay": "e.g. 800ms",
    "delay_percent": "e.g. 30",
    "abort_status": "503",
    "abort_percent": "e.g. 1",
    "start_in": "0s",
    "duration": "10m",
    "guard_p999_ms": "end if above",
    "guard_error_percent": "end if above",
    "guard_route": "e.g. GET /docs/:id (empty: any route)",
    "reason": "e.g. game day: docs-api latency drill",
}
# The guards take a plain number, so their placeholder ("end if above") cannot be a value.
NUMBER = r"[0-9]*\.?[0-9]*"
RESTRICT = {"guard_p999_ms": NUMBER, "guard_error_percent": NUMBER}
WIDE = ("guard_route", "reason")  # a row each, below the grid: a route or a sentence


class FaultWindowScreen(ActionForm[FaultWindow | None]):
    INPUTS = FIELDS
    SUBMIT_ID = "schedule"
    ERROR_ID = "fault-error"
    DEFAULT_CSS = """
    FaultWindowScreen { align: center middle; }
    #fault-box {
        width: 84; height: auto; padding: 1 2;
        max-width: 100%; max-height: 100%; overflow-y: auto;  /* 80x24 scrolls, keeps every field */
        border: round $warning; background: $surface;
    }
    #fault-box .hint { color: $text-muted; }
    #fault-box Input { background: $boost; }
    /* labels as wide as the longest ("guard p99.9 ms"), two cells between columns: a
       placeholder that fills its field (70 columns) is still apart from the next label */
    #fault-grid {
        grid-size: 4; grid-columns: 14 1fr 14 1fr; grid-rows: 1; grid-gutter: 1 2;
        height: auto; margin-top: 1;
    }
    #fault-grid Label { color: $text-muted; }
    #fault-box .wide-row { height: 1; margin-top: 1; }
    #fault-box .wide-row Label { width: 16; color: $text-muted; }  /* the grid's 14 + gutter */
    #fault-box .wide-row Input { width: 1fr; }
    /* a short terminal (80x24): no blank line between the fields nor inside the border, so
       every field, the buttons and a refusal of several lines show at once, unscrolled */
    FaultWindowScreen.-short #fault-grid { grid-gutter: 0 2; }
    FaultWindowScreen.-short #fault-box { padding: 0 2; }
    FaultWindowScreen.-short #fault-box .wide-row { margin-top: 0; }
    #fault-error { height: auto; margin-top: 1; }
    #fault-buttons { height: auto; }
    #fault-buttons Button { margin-right: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        enter_binding("fault.enter"),
        Binding("escape", "cancel", "Cancel", id="fault.cancel", priority=True),
    ]

    class Submitted(Message):
        """Please schedule this (the App answers with dismiss or show_error)."""

        def __init__(self, screen: FaultWindowScreen, request: FaultRequest) -> None:
            super().__init__()
            self.screen = screen
            self.request = request

    def __init__(
        self,
        actor: str,
        routes: Sequence[str] = (),
        limits: Limits | None = None,
        latency: Callable[[], LatencySnapshot | None] = lambda: None,
    ) -> None:
        """`routes`: the latency routes known now, suggested in the guard route field;
        `limits`: the faults backend's (None: the defaults); `latency`: the latency the
        reconciler's guards read, as of the submit (a guard it is over already is refused)."""
        super().__init__()
        self.actor = actor
        self.routes = tuple(routes)
        self.limits = form_limits(limits)
        self.latency = latency

    def compose(self) -> ComposeResult:
        with Vertical(id="fault-box"):
            yield Static(Text("Schedule a fault window", style="bold"))
            yield Static(
                Text(  # not markup: the actor ("[dave]") is shown as it is
                    f"As {self.actor}. Never in {protected_words(self.limits)};"
                    " a percentage is required and capped; the window ends on its own."
                ),
                classes="hint",
            )
            with Grid(id="fault-grid"):
                for field in (f for f in FIELDS if f not in WIDE):
                    yield Label(LABELS[field])
                    yield Field(
                        value=DEFAULTS.get(field, ""),
                        placeholder=PLACEHOLDERS[field],
                        restrict=RESTRICT.get(field),
                        id=field,
                        compact=True,
                    )
            suggest = SuggestFromList(self.routes, case_sensitive=False) if self.routes else None
            for field in WIDE:
                with Horizontal(id=f"fault-{field.replace('_', '-')}-row", classes="wide-row"):
                    yield Label(LABELS[field])
                    yield Field(
                        placeholder=PLACEHOLDERS[field],
                        suggester=suggest if field == "guard_route" else None,
                        id=field,
                        compact=True,
                    )
            with FormFoot():  # in view: the fields scroll above it if need be
                yield Static("", id="fault-error")
                with Horizontal(id="fault-buttons"):
                    yield Button("Schedule", variant="warning", id="schedule")
                    yield Button("Cancel", id="cancel")

    def values(self) -> dict[str, str]:
        return {f: self.query_one(f"#{f}", Input).value for f in FIELDS}

    def submit(self) -> None:
        if self.busy:
            return
        try:
            req = fault_request(self.values(), self.routes, self.limits, self.latency())
        except BadFaultInput as exc:
            self.show_error(str(exc), exc.field)
            return
        self.start_busy(f"Fault window on {req.spec.namespace}/{req.spec.target_host}")
        self.post_message(self.Submitted(self, req))
