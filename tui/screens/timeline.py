"""`t`: everything that changed, newest first: grants, revokes, fault windows, releases,
rehearsals, alerts raised and cleared, baselines marked."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from backends.timeline import Event
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
}


class TimelineScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,t,q", "dismiss", "Close", id="timeline.close"),
    ]

    def __init__(self, events: list[Event]) -> None:
        super().__init__()
        self.events = events

    def compose(self) -> ComposeResult:
        with Vertical(id="timeline-box"):
            yield Label(f"Timeline · {len(self.events)} events since start, newest first")
            yield KeyedTable("time", "what", Column("detail", max_width=400), id="timeline-table")
        yield KeyFooter()  # its own keys, not the dashboard's (off while it is open)

    def on_mount(self) -> None:
        table = self.query_one(KeyedTable)
        table.set_rows(
            {
                str(i): (f"{e.at:%H:%M:%S}Z", Text(e.kind, KIND_STYLE.get(e.kind, "")), e.text)
                for i, e in enumerate(self.events)
            }
        )
        table.focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
