"""Fault windows: scheduled, active and ended, with a countdown to the next edge, and
what this dashboard's reconcile loop does (pushed in by the app as `reconciler`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.widgets import Static

from backends.durations import delay
from backends.fault_ends import was_halted
from backends.faults_core import (
    CANCELLED,
    DEFAULT_PROTECTED,
    DUE,
    cancelled,
    ended_at,
    unstarted,
)
from backends.models import FaultsSnapshot, FaultWindow, HealthState, WindowState
from tui.fmt import ago, cut, duration
from tui.panes.base import SourcePane, empty_text
from tui.panes.keyed_table import KeyedTable

COUNTDOWN_CELLS = 10  # the longest countdown ("1h02m left"): the `when` column has this
WHEN_MOST = 20  # room for the longest of every form of `when` ("cancelled 59m ago")
LEAK_GRACE_S = 5.0  # a fault still applied this long past its end is a leak (see alerts)
STATE_STYLE = {
    WindowState.SCHEDULED: "cyan",
    WindowState.ACTIVE: "bold yellow",
    WindowState.ENDED: "grey50",
}


class Reconciler(StrEnum):
    """What this dashboard's reconcile loop does with the faults source now."""

    NONE = "none"  # no loop here (the source cannot reconcile, or not watching)
    FULL = "full"  # ends what is due and starts what is due
    ENDS_ONLY = "ends-only"  # read-only: ends what is due, never starts a window


# what the title says of the mode, longest first: the longest that fits is shown (at 80
# columns, "Fault windows · ends only"; the default, this dashboard, then says nothing)
MODE_TEXT: dict[Reconciler, tuple[str, ...]] = {
    Reconciler.NONE: (),
    Reconciler.FULL: ("reconciler: this dashboard",),
    Reconciler.ENDS_ONLY: (
        "reconciler: ends only (read-only)",
        "ends only (read-only)",
        "ends only",
    ),
}
# a window whose time has come that is not in the mesh yet, by who would start it
DUE_TEXT = {
    Reconciler.NONE: DUE,  # as `watchfloor faults list` says it
    Reconciler.FULL: "due, starting",
    Reconciler.ENDS_ONLY: f"{DUE} (read-only here)",
}
DUE_STYLE = "bold magenta"
DUE_DOWN = f"{DUE} (source down)"  # nothing can start it while its source fails


def due_text(reconciler: Reconciler, down: bool) -> str:
    """What a window whose time has come and that is not in yet reads: who would start it,
    or that nobody can while the faults source is down (it read "due, starting")."""
    return DUE_DOWN if down and reconciler is not Reconciler.NONE else DUE_TEXT[reconciler]


def how_ended(w: FaultWindow) -> str:
    """An ended window's state in a word: cancelled (before its fault was put in), halted
    (by a HALT ALL) or ended."""
    if cancelled(w):
        return CANCELLED
    return "halted" if was_halted(w.end_reason) else "ended"


def ended_forms(w: FaultWindow, now: datetime) -> tuple[str, ...]:
    """How an ended window's time cell says it, longest first: "ended 38s ago", "ended
    38s"; a cancelled one, which never ran, last as "cancelled" alone."""
    how, since = how_ended(w), ago(now - ended_at(w))
    return (f"{how} {since} ago", f"{how} {since}", *((how,) if how == CANCELLED else ()))


def left_forms(w: FaultWindow, now: datetime) -> tuple[str, ...]:
    """How an active window's countdown says it, longest first: "49m54s left", then, where
    the room is 10 cells (80 columns with the scroll marker), "49m left" (it read
    "49m54s le…"). Under ten minutes or over an hour it is 10 cells at most anyway."""
    left = (w.ends_at - now).total_seconds()
    whole = f"{duration(left)} left"
    return (whole, f"{int(left) // 60}m left") if 600 <= left < 3600 else (whole,)


def when(w: FaultWindow, now: datetime, room: int = WHEN_MOST) -> Text:
    """The countdown to the window's next edge, at most 10 cells where the room is short
    ("1h02m left", "49m left"), so that it fits beside its target in the 28 cells the pane
    has at 80 columns. An ended window says
    how it ended ("cancelled 5m ago"), as long a form as fits in `room` (at least 10): the
    state column after it is cut at 80 columns."""
    state = w.state(now)
    if state is WindowState.SCHEDULED:
        return Text(f"in {duration(w.starts_at - now)}", "cyan", justify="right")
    if unstarted(w, now):
        return Text("unstarted", DUE_STYLE, justify="right")
    if state is WindowState.ACTIVE:
        left = left_forms(w, now)
        said = next((f for f in left if len(f) <= max(room, COUNTDOWN_CELLS)), left[-1])
        return Text(said, "yellow", justify="right")
    forms = ended_forms(w, now)
    said = next((f for f in forms if len(f) <= max(room, COUNTDOWN_CELLS)), forms[-1])
    return Text(said, "grey50", justify="right")


def note(w: FaultWindow, now: datetime) -> Text:
    """What to know at a glance: a leak first, then why it ended, or its guards."""
    state = w.state(now)
    if w.spec.namespace in DEFAULT_PROTECTED and (w.applied or state is WindowState.ACTIVE):
        return Text("IN A PROTECTED NAMESPACE", "bold red")
    if state is WindowState.ENDED:
        if leaking(w, now):
            return Text(f"STILL APPLIED {w.end_reason}".strip(), "bold red")
        return Text(w.end_reason or "ended", "grey50")
    g = w.guards
    parts = []
    if g.p999_ms_above is not None:
        parts.append(f"p99.9>{g.p999_ms_above:g}ms")
    if g.error_rate_above is not None:
        parts.append(f"err>{g.error_rate_above:.0%}")
    return Text(("guard " + " ".join(parts)) if parts else "", "cyan")


def leaking(w: FaultWindow, now: datetime) -> bool:
    """Ended, and its fault still in the backend past the grace (as the alert says)."""
    ended = w.state(now) is WindowState.ENDED
    return ended and w.applied and (now - ended_at(w)).total_seconds() > LEAK_GRACE_S


def target_text(w: FaultWindow) -> str:
    """namespace/host, the host without the namespace's own suffix: a kube FQDN
    ('search-api.stage.svc.cluster.local' in stage) reads 'stage/search-api'."""
    ns, host = w.spec.namespace, w.spec.target_host
    for suffix in (f".{ns}.svc.cluster.local", f".{ns}.svc", f".{ns}"):
        if host.endswith(suffix) and len(host) > len(suffix):
            host = host.removesuffix(suffix)
            break
    return f"{ns}/{host}"


def pane_order(w: FaultWindow, now: datetime) -> tuple[int, float, str]:
    """A leak first; then active, the one ending soonest on top; then scheduled, soonest
    start first; then ended, the one that ended last on top (80x24 shows three rows)."""
    state = w.state(now)
    if leaking(w, now):
        return (-1, ended_at(w).timestamp(), w.id)
    if state is WindowState.ACTIVE:
        return (0, w.ends_at.timestamp(), w.id)
    if state is WindowState.SCHEDULED:
        return (1, w.starts_at.timestamp(), w.id)
    return (2, -ended_at(w).timestamp(), w.id)


def fault_text(w: FaultWindow) -> str:
    parts = []
    if w.spec.delay_percent:
        parts.append(f"+{delay(w.spec.delay_ms)} @{w.spec.delay_percent:g}%")
    if w.spec.abort_percent:
        parts.append(f"{w.spec.abort_status} @{w.spec.abort_percent:g}%")
    return ", ".join(parts)


class WindowsTable(KeyedTable):
    """The fault windows; Enter on one: the App opens its details (KeyedTable.Selected)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Window details", show=False, id="faults.details"),
    ]


class FaultsPane(SourcePane):
    TITLE = "Fault windows"
    DEFAULT_CSS = """
    FaultsPane.-empty KeyedTable { display: none; }  /* the message takes its place */
    """
    reconciler: var[Reconciler] = var(Reconciler.NONE, init=False)

    def compose(self) -> ComposeResult:
        # what is hit and for how long first (`when` says the state too: starts in, ends in,
        # ended): at 80 columns the pane shows those two; the rest is a → away, the id last
        # (`e` ends the window under the cursor, and `watchfloor faults list` lists ids)
        yield WindowsTable(
            "target", "when", "state", "fault", "note", "owner", "id", id="faults-table"
        )
        yield Static("", id="faults-empty", classes="empty")

    def title_note(self, room: int) -> str:
        """The reconcile loop's mode, in the title (no row of the table is given up)."""
        texts = MODE_TEXT[self.reconciler]
        fits = [t for t in texts if len(t) <= room]
        if fits:
            return fits[0]
        # read-only is said even where it is cut; the default may go unsaid
        return texts[-1] if self.reconciler is Reconciler.ENDS_ONLY else ""

    def watch_reconciler(self, mode: Reconciler) -> None:
        self.refresh_title()
        if self.snapshot is not None:
            self.show(self.snapshot)  # a window due to start says who would start it

    def on_resize(self) -> None:  # after SourcePane's own (Textual calls each class's)
        if self.snapshot is not None:  # targets and countdowns as the new width fits them
            self.show(self.snapshot)

    def when_room(self, targets: list[str]) -> int:
        """The cells the `when` column has beside the widest target, a scrollbar's one
        kept (WHEN_MOST before the pane has a size). The pane's width, not the table's:
        with no windows the table is hidden, its width 0, as the first ones are shown."""
        width = self.size.width
        if not width:
            return WHEN_MOST
        return width - 1 - 1 - max([len("target"), *(len(t) for t in targets)])

    def show(self, snap: FaultsSnapshot) -> None:
        now = self.now
        windows = sorted(snap.windows, key=lambda w: pane_order(w, now))
        targets = {w.id: target_text(w) for w in windows}
        if self.size.width:  # a target is cut to leave the countdown its cells (details: whole)
            most = self.size.width - 2 - COUNTDOWN_CELLS
            targets = {key: cut(text, most) for key, text in targets.items()}
        room = self.when_room(list(targets.values()))
        due_says = due_text(self.reconciler, snap.health.state is HealthState.ERROR)
        rows = {}
        for w in windows:
            state = w.state(now)
            due = unstarted(w, now)
            rows[w.id] = (
                targets[w.id],
                when(w, now, room),
                Text(due_says, DUE_STYLE)
                if due
                else Text(CANCELLED, "grey50")
                if cancelled(w)
                else Text(state.value, STATE_STYLE[state]),
                fault_text(w),
                note(w, now),
                w.owner,
                w.id,
            )
        self.table().set_rows(rows)
        self.set_class(not snap.windows, "-empty")
        if not snap.windows:
            self.show_empty(empty_text(snap, "No fault windows", ". The mesh is as it was built."))

    def tick(self, snap: FaultsSnapshot, now: datetime) -> None:
        self.show(snap)

    def select_first(self, window_ids: Collection[str]) -> None:
        """Put the cursor on the first row shown of these windows (if any is shown)."""
        for i, key in enumerate(self.table().rows):
            if key in window_ids:
                self.table().pick(i)
                return

    @property
    def selected(self) -> FaultWindow | None:
        """The window under the cursor, if any."""
        key = self.table().selected_key
        snap = self.snapshot
        if snap is None or key is None:
            return None
        return next((w for w in snap.windows if w.id == key), None)
