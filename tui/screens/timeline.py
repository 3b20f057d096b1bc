"""`t`: everything that changed, newest first: grants, revokes, fault windows, releases,
rehearsals, alerts raised and cleared, baselines marked; and before them, the audit
trail's recent history (the title says since when, or why it could not be read)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from backends.timeline import Event, stamp
from tui.footer import KeyFooter
from tui.panes.keyed_table import Column, KeyedTable

KIND_STYLE = {
    "grant": "cyan",
    "revoke": "magenta",
    "fault": "yellow",
    "release": "green",
    "rehearsal": "green",
    "alert": "red",
    "note": "bold",
    "audit": "blue",
}


class TimelineScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,t,q", "dismiss", "Close", id="timeline.close"),
    ]

    def __init__(self, events: list[Event], note: str = "") -> None:
        """`note`: where the events come from (the audit trail since when, or why not)."""
        super().__init__()
        self.events = events
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="timeline-box"):
            yield Label(self._title(), id="timeline-title")
            yield KeyedTable("time", "what", Column("detail", max_width=400), id="timeline-table")
        yield KeyFooter()  # its own keys, not the dashboard's (off while it is open)

    def _title(self) -> str:
        if not self.note:
            return f"Timeline · {len(self.events)} events since start, newest first"
        return f"Timeline · {len(self.events)} events, newest first · {self.note}"

    def on_mount(self) -> None:
        self._fill()  # what `show` brought in since compose, too
        self.query_one(KeyedTable).focus()

    def show(self, events: list[Event], note: str) -> None:
        """New events (the audit history arrived): the cursor stays on its row."""
        if not self.is_mounted:  # pushed but not mounted yet: on_mount shows these
            self.events, self.note = events, note
            return
        table = self.query_one(KeyedTable)
        key = table.selected_key
        current = self.events[int(key)] if key is not None else None
        self.events, self.note = events, note
        self._fill()
        if current in events:
            table.cursor = events.index(current)

    def _fill(self) -> None:
        self.query_one("#timeline-title", Label).update(self._title())
        today = self.events[0].at.date() if self.events else None  # the newest event's
        self.query_one(KeyedTable).set_rows(
            {
                str(i): (stamp(e.at, today), Text(e.kind, KIND_STYLE.get(e.kind, "")), e.text)
                for i, e in enumerate(self.events)
            }
        )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
