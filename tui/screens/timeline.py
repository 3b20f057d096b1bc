"""`t`: everything that changed, newest first: grants, revokes, fault windows, releases,
rehearsals, alerts raised and cleared, baselines marked; and before them, the audit
trail's recent history (the title says since when, or why it could not be read; a title
too long for the box wraps onto a second line rather than losing its end).

Under the table, the event under the cursor whole (its column is cut at the screen's edge:
a fault window's end reason, a grant's reason). `/` filters the events by text.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from backends.text_safe import shown
from backends.timeline import Event
from backends.timeline_words import stamp
from tui.footer import KeyFooter
from tui.panes.keyed_table import Column, KeyedTable
from tui.safe_text import safe_text

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
        Binding("escape,t,q", "dismiss", "Close", key_display="esc/t/q", id="timeline.close"),
        # priority: acted on as read, so a filter typed right after `/` reaches the filter
        Binding("slash", "filter", "Filter", key_display="/", id="timeline.filter", priority=True),
    ]
    DEFAULT_CSS = """
    #timeline-box KeyedTable { height: 1fr; }
    #timeline-title { width: 100%; }  /* wraps: too long for one line, nothing is cut */
    #timeline-detail { height: auto; max-height: 4; }
    """

    def __init__(self, events: list[Event], note: str = "") -> None:
        """`note`: where the events come from (the audit trail since when, or why not)."""
        super().__init__()
        self.events = events
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="timeline-box"):
            yield Label(self._title(), id="timeline-title")
            yield KeyedTable("time", "what", Column("detail", max_width=400), id="timeline-table")
            yield Static("", id="timeline-detail")  # the event under the cursor, whole
        yield KeyFooter()  # its own keys, not the dashboard's (off while it is open)

    def _title(self) -> Text:
        """Text, not markup: a filter typed as "[x]" is shown as typed."""
        count = f"{len(self.events)} events"
        if self.is_mounted and (flt := self.query_one(KeyedTable).row_filter):
            count = f"{self.query_one(KeyedTable).row_count} of {count} match {flt!r}"
        if not self.note:
            return Text(f"Timeline · {count} since start, newest first")
        return Text(shown(f"Timeline · {count}, newest first · {self.note}"))

    def on_mount(self) -> None:
        self._fill()  # what `show` brought in since compose, too
        table = self.query_one(KeyedTable)
        table.focus()
        self.watch(table, "cursor", self._show_detail, init=False)

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
        if current in events:  # its row among those shown (a filter may hide some)
            shown = list(table.rows)
            key = str(events.index(current))
            if key in shown:
                table.cursor = shown.index(key)

    def _fill(self) -> None:
        today = self.events[0].at.date() if self.events else None  # the newest event's
        self.query_one(KeyedTable).set_rows(
            {
                str(i): (stamp(e.at, today), Text(e.kind, KIND_STYLE.get(e.kind, "")), e.text)
                for i, e in enumerate(self.events)
            }
        )
        self.query_one("#timeline-title", Label).update(self._title())
        self._show_detail()

    def _show_detail(self, _: int | None = None) -> None:
        key = self.query_one(KeyedTable).selected_key
        text = Text()
        if key is not None:
            e = self.events[int(key)]
            text.append(f"{e.at:%Y-%m-%d %H:%M:%S}Z ", "bold")
            text.append(e.kind, KIND_STYLE.get(e.kind, ""))
            text.append(f" {e.text}")
        self.query_one("#timeline-detail", Static).update(safe_text(text))

    async def action_filter(self) -> None:
        from tui.screens.filter import FilterScreen

        table = self.query_one(KeyedTable)

        def apply(text: str | None) -> None:
            if text is not None:
                table.row_filter = text
                self.query_one("#timeline-title", Label).update(self._title())
                self._show_detail()

        await self.app.push_screen(FilterScreen("the timeline", table.row_filter), apply)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
