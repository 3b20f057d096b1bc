"""What every pane shares: a bordered box titled with its name, its source's health in the
border subtitle, and two attributes pushed down by the app: `snapshot` and `now`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.containers import Vertical
from textual.markup import escape
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Static

from backends.clock import utc_now
from backends.error_text import BAD_DATA
from backends.models import HealthState, Snapshot
from tui.fmt import health_text
from tui.panes.keyed_table import KeyedTable

TITLE_MARGIN = 6  # "╭─ " and " ─╮" around a pane's title


def health_class(snap: Snapshot | None, now: datetime) -> str:
    """The pane's CSS class for its source's health ("-ok", "-stale", ...); "" before
    data. A pane composed with it is not restyled when its first data arrives."""
    return "" if snap is None else f"-{snap.health.effective_state(now).value}"


def never_answered(snap: Snapshot) -> bool:
    """The source failed before its first answer: the snapshot's defaults (0 decisions, no
    cut, no windows) are not data and must not be shown as such."""
    return snap.health.state is HealthState.ERROR and snap.health.last_ok_at is None


def empty_text(snap: Snapshot, nothing: str, detail: str = "") -> Text:
    """What an empty pane says. `nothing` ("No fault windows") is only known from a source
    that answered: a failing source's empty list says nothing about the world, so then it
    is "unknown", or `nothing` as of the last good answer, with the error."""
    health = snap.health
    if health.state is not HealthState.ERROR:
        return Text(nothing + detail)
    error = health.last_error or "the source failed"
    if never_answered(snap) and error.startswith(BAD_DATA):  # it answered, unusably
        return Text.assemble(("unknown", "bold red"), f": the source {error}")
    if never_answered(snap):
        return Text.assemble(("unknown", "bold red"), f": the source has not answered ({error})")
    return Text.assemble(
        f"{nothing} at {health.last_ok_at:%H:%M:%S}Z, the last good answer. ",
        ("Failing now", "bold red"),
        f": {error}",
    )


class SourcePane(Vertical):
    TITLE: ClassVar[str] = ""
    # shorter names, longest first, for a pane too narrow for TITLE and its note: the
    # longest that leaves the note room, else the longest that fits
    SHORT_TITLES: ClassVar[tuple[str, ...]] = ()
    _last_subtitle: Text | None = None
    _last_state: HealthState | None = None
    snapshot: var[Any] = var(None, always_update=True, init=False)
    now: var[datetime] = var(utc_now, init=False)
    filter_text: var[str] = var("", init=False)  # `/`: show only rows containing this

    @property
    def own_key_prefix(self) -> str:
        """The binding ids of this pane's keys start with its id ("release." for n and R):
        while it has the focus, the footer shows them first."""
        return f"{self.id}." if self.id else ""

    def on_mount(self) -> None:
        self.refresh_title()
        self.border_subtitle = "○ waiting for data"

    def watch_filter_text(self, text: str) -> None:
        for table in self.query(KeyedTable):
            table.row_filter = text
        self.refresh_title()
        if self.snapshot is not None:
            self.show(self.snapshot)

    def title_note(self, room: int) -> str:
        """What the pane says beside its name, in `room` cells if it can ("": nothing)."""
        return ""

    def refresh_title(self) -> None:
        """Name · note · filter. The border keeps TITLE_MARGIN cells around the title."""
        width = self.size.width - TITLE_MARGIN
        names = (self.TITLE, *self.SHORT_TITLES)
        notes = ((n, self.title_note(width - len(n) - len(" · "))) for n in names)
        name, note = next(((n, t) for n, t in notes if t), ("", ""))
        if not name:  # nothing to note, or no room for it: the longest name that fits
            name = next((n for n in names if len(n) <= width), names[-1])
        title = f"{name} · {note}" if note else name
        text = escape(self.filter_text)  # as typed: "[acme]" is not markup
        self.border_title = f"{title} · filter: {text}" if text else title

    def watch_snapshot(self, snap: Snapshot | None) -> None:
        if snap is not None:
            self.show(snap)
            self._health(snap)

    def watch_now(self, now: datetime) -> None:
        if self.snapshot is not None:
            self._health(self.snapshot)
            self.tick(self.snapshot, now)

    def on_resize(self) -> None:
        self.refresh_title()  # the title's note, too, is said only where it fits
        if self.snapshot is not None:  # the subtitle says more, or less, in the new width
            self._health(self.snapshot)

    def _health(self, snap: Snapshot) -> None:
        state = snap.health.effective_state(self.now)
        room = self.outer_size.width - TITLE_MARGIN  # "╰─ " and " ─╯"
        subtitle = health_text(snap.health, self.now, snap.source, room if room > 0 else None)
        if subtitle != self._last_subtitle:  # an unchanged subtitle costs no repaint
            self._last_subtitle = subtitle
            self.border_subtitle = subtitle
        if state is not self._last_state:  # CSS classes only when the state changes
            self._last_state = state
            # one style update for the pane and its children, not one per class
            self.update_classes({f"-{s.value}": s is state for s in HealthState})

    _last_empty: Text | None = None

    def show_empty(self, text: Text) -> None:
        """What the pane's empty-state line (the Static of class "empty") says; a repaint
        only when it changes."""
        if text != self._last_empty:
            self._last_empty = text
            self.query_one(".empty", Static).update(text)

    def no_match(self, shown: int, rows: int, what: str) -> Text | None:
        """With a `/` filter that leaves none of the `rows` rows shown: what the pane says
        instead of a table of no rows, which read as a source with no data."""
        if not self.filter_text or shown or not rows:
            return None
        from tui.palette import key_of

        change = key_of(self.app, "pane.filter")
        return Text(f"no {what} matches {self.filter_text!r} · {change} to change the filter")

    def push(self, snap: Snapshot | None, now: datetime) -> None:
        """The app's once-a-second update: the time, and a new snapshot if one arrived.
        With a snapshot, `show` alone renders it at the new time (no separate `tick`)."""
        if snap is None:
            self.now = now
        else:
            self.set_reactive(SourcePane.now, now)
            self.snapshot = snap

    def show(self, snap: Any) -> None:
        """Render a new snapshot at `self.now`, the time-driven parts included (subclasses)."""

    def tick(self, snap: Any, now: datetime) -> None:
        """Once a second without new data: update what depends on the time (countdowns).
        Optional."""

    def table(self) -> KeyedTable:
        return self.query_one(KeyedTable)

    def focus_target(self) -> Widget:
        """What the focus keys (1-5) focus: the table, unless a pane says otherwise."""
        return self.table()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A press anywhere in the pane (its plot, a summary line, a border) focuses it, as
        its key 1-5 does. The screen has already focused a table pressed on; a click moves
        a table's cursor only on a row (the table's own on_click)."""
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors_with_self:
            self.screen.set_focus(self.focus_target(), scroll_visible=False)
