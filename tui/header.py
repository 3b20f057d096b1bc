"""The header: title, environment, and a UTC clock moved by the app's one-second tick.

The stock clock shows local time on a timer of its own, a second repaint every second;
this one shows the time the panes and alerts use (UTC, "Z") and repaints with them.
It stays one line: the stock header turns three lines tall on a click, two rows taken
from the panes with nothing saying how to undo it.
"""

from __future__ import annotations

from datetime import datetime

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Header
from textual.widgets._header import HeaderIcon, HeaderTitle

from tui.panes.line import Line


class UtcClock(Line):
    DEFAULT_CSS = """
    UtcClock {
        dock: right;
        width: 11;
        padding: 0 1;
        background: $foreground-darken-1 5%;
        color: $foreground 85%;  /* not text-opacity: it builds a filter on every repaint */
    }
    """


class WatchHeader(Header):
    _clock: UtcClock | None = None

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield HeaderTitle()
        self._clock = UtcClock()
        yield self._clock

    async def on_click(self, event: events.Click) -> None:
        event.prevent_default()  # not Header's: it toggles the three-line "-tall" style
        await Widget._on_click(self, event)  # but every widget's (selection, @click)

    def set_time(self, now: datetime) -> None:
        if self._clock is not None:
            self._clock.update(f"{now:%H:%M:%S}Z")
