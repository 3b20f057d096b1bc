"""Enter on a fault window: everything about it, whole. The faults pane shows its target
and countdown at 80 columns and cuts the rest; here are the target, state, delay and
abort, when it starts (and, started late, when it really did and by whose reconciler) and
ends (UTC, with a live countdown), owner, the whole reason, guards, whether the fault is
applied now, why it ended, and its id.

Read-only: `e` asks the App to end this window (the same end as `e` in the pane, refused
in read-only mode), Esc closes. The App pushes the time and the window as the faults
snapshot lists it once a second (see DetailsModal), so an end shows here as it happens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from backends.durations import delay as delay_text
from backends.fault_times import cancelled_words, ended_late_by, ended_late_words, late_words
from backends.faults_core import CANCELLED, cancelled, unstarted
from backends.models import FaultWindow, WindowState
from backends.report_faults import guard_words
from backends.text_safe import shown
from tui.fmt import ago, duration
from tui.panes.faults import DUE_STYLE, STATE_STYLE, Reconciler, due_text
from tui.screens.details import DetailsModal, Rows, utc


class FaultDetailsScreen(DetailsModal[FaultWindow]):
    BOX_TITLE = "Fault window"
    GONE_WHY = "ended and aged out, or removed elsewhere"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "end_window", "End window", id="fault-details.end", priority=True),
        Binding("escape", "close", "Close", id="fault-details.close", priority=True),
    ]

    def __init__(
        self,
        window: FaultWindow,
        now: datetime,
        end: Callable[[FaultDetailsScreen], Awaitable[None]],
        reconciler: Reconciler = Reconciler.NONE,
    ) -> None:
        """`end`: the App's, called with this screen when `e` is pressed. `reconciler`:
        what this dashboard's reconcile loop does (a window due says who would start it);
        the App keeps it current."""
        super().__init__(window, now)
        self._end = end
        self.reconciler = reconciler
        self.source_down = False  # the faults source failing: nothing can start a window

    def state(self) -> Text:
        w, now = self.item, self.now
        if self.listed and unstarted(w, now):
            return Text(due_text(self.reconciler, self.source_down), DUE_STYLE)
        state = w.state(now)
        if cancelled(w):
            how = cancelled_words(w).removeprefix("cancelled ")  # before it started, or after
            return Text(f"{CANCELLED}: ended {how}, nothing was injected", "grey50")
        return Text(state.value, STATE_STYLE[state])

    def edge(self, at: datetime, upcoming: bool) -> Text:
        """A time, and while listed how far off it is (or how long ago it was)."""
        text = Text(utc(at))
        if self.listed:
            left = (at - self.now).total_seconds()
            if upcoming and left > 0:
                text.append(f"  in {duration(left)}", "bold")
            elif left <= 0:
                text.append(f"  {ago(self.now - at)} ago", "grey50")
        return text

    def start_rows(self) -> Rows:
        """When it starts; started late (no reconciler ran at its start), when it was due
        (as planned) and when it did start, how late and by whose reconciler."""
        w = self.item
        late = late_words(w)
        if not late or w.started_at is None:
            return [
                ("starts at", self.edge(w.starts_at, w.state(self.now) is WindowState.SCHEDULED))
            ]
        started = self.edge(w.started_at, False)
        started.append(f"  {late}", "yellow")
        return [("due at", self.edge(w.starts_at, False)), ("started at", started)]

    def rows(self) -> Rows:
        w = self.item
        s = w.spec
        state = w.state(self.now)
        late = ended_late_by(w)
        delay = (
            f"{delay_text(s.delay_ms)} on {s.delay_percent:g}% of requests"
            if s.delay_percent
            else "none"
        )
        abort = (
            f"HTTP {s.abort_status} on {s.abort_percent:g}% of requests"
            if s.abort_percent
            else "none"
        )
        rows: Rows = [
            ("target", Text(f"{s.namespace}/{s.target_host}", "bold")),
            ("state", self.state()),
            ("delay", delay),
            ("abort", abort),
            *self.start_rows(),
            (
                "ends at" if w.ended_early_at is None and late is None else "planned end",
                self.edge(w.ends_at, state is not WindowState.ENDED),
            ),
        ]
        if w.ended_early_at is not None:
            label = "cancelled" if cancelled(w) else "ended at"
            rows.append((label, self.edge(w.ended_early_at, False)))
        elif late is not None and w.ended_late_at is not None:
            ended = self.edge(w.ended_late_at, False)  # its fault stayed in past its end
            ended.append(f"  {ended_late_words(late)}", "yellow")
            rows.append(("ended at", ended))
        rows += [
            ("owner", w.owner),
            ("reason", Text(shown(w.reason), "italic")),  # before Rich drops a BEL or a CR
            ("guards", guard_words(w.guards)),
            ("applied", "yes: the fault is in the mesh now" if w.applied else "no"),
            ("end reason", w.end_reason or "—"),
            ("id", w.id),
        ]
        return rows

    async def action_end_window(self) -> None:
        await self._end(self)
