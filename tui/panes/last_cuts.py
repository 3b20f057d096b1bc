"""The release pane's last cuts: a KeyedTable that, with no room under its column titles
for two rows, shows one line in their place ("last cuts: v2026.11.27-m4 ✖, m3 ✔, m2 ✔"):
titles with nothing under them read as "no cuts", and one row hides all the cuts but one.
Which of the two is decided when the line is painted, from the table's height, so a resize
needs no second layout.

The one line has no cursor: the cursor stays on the first row (the newest cut, which Enter
opens), and the keys that move it do nothing there. In the table, a cursor on the newest
cut stays on the newest when a new one comes in (elsewhere it stays on its cut)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.strip import Strip

from backends.models import ReleaseRun, StageStatus
from tui.panes.cells import text_segments
from tui.panes.keyed_table import Cell, KeyedTable

SEPARATORS = "-._/"


def short_version(first: str, version: str) -> str:
    """`version` without the part it shares with `first` up to a separator: "m3" beside
    "v2026.11.27-m4", "26-m9" beside "v2026.11.27-m4"; "#122" beside "#123"."""
    same = 0
    for a, b in zip(first, version, strict=False):
        if a != b:
            break
        same += 1
    cut = max(first.rfind(sep, 0, same) for sep in SEPARATORS) + 1
    return version[cut:] if cut < len(version) else version


def cuts_summary(
    recent: Sequence[ReleaseRun], glyphs: Mapping[StageStatus, tuple[str, str]], known: bool
) -> Text:
    """The last cuts in one line, newest first: the first by its whole version."""
    text = Text("last cuts: ")
    if not recent:
        return text.append("none yet" if known else "unknown", "grey50")
    first = recent[0].version
    for i, run in enumerate(recent):
        glyph, style = glyphs[run.status]
        if i:
            text.append(", ")
        text.append(short_version(first, run.version) if i else run.version)
        text.append(f" {glyph}", style)
    return text


class CutsTable(KeyedTable):
    """A KeyedTable with a `summary` line that it shows instead of its column titles
    when it has no room for a row under them. Enter on a cut: the App opens its details."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Cut details", show=False, id="release.details"),
    ]

    _summary: Text = Text()
    _summary_strip: Strip | None = None

    @property
    def cramped(self) -> bool:
        """No room for two rows under the titles: the one line instead."""
        return self.size.height < 3

    def set_rows(self, rows: Mapping[str, Sequence[Cell]]) -> None:
        newest = self.cursor == 0 or self.cramped
        super().set_rows(rows)
        if newest:
            self.cursor = 0

    def on_resize(self) -> None:  # after KeyedTable's own (Textual calls each class's)
        if self.cramped:
            self.cursor = 0

    @property
    def allow_vertical_scroll(self) -> bool:  # the one line: the wheel moves no cursor
        return not self.cramped and super().allow_vertical_scroll

    def action_cursor(self, delta: int) -> None:
        if not self.cramped:
            super().action_cursor(delta)

    def action_page(self, direction: int) -> None:
        if not self.cramped:
            super().action_page(direction)

    def action_jump(self, where: int) -> None:
        if not self.cramped:
            super().action_jump(where)

    def on_click(self, event: events.Click) -> None:
        if self.cramped:
            event.prevent_default()  # KeyedTable's: a click there moves no cursor

    @property
    def summary(self) -> Text:
        return self._summary

    @summary.setter
    def summary(self, text: Text) -> None:
        if text != self._summary:
            self._summary = text
            self._summary_strip = None
            if self.cramped:
                self.refresh(Region(0, 0, self.size.width, 1))

    def notify_style_update(self) -> None:
        self._summary_strip = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        if not self.cramped:
            return super().render_line(y)
        width = self.size.width
        if y:  # under the one line: no row without its titles
            return Strip.blank(width, self._style("plain"))
        strip = self._summary_strip
        if strip is None or strip.cell_length != width:
            line = self._summary
            if line.cell_len > width:
                line = line.copy()
                line.truncate(max(0, width - 1))
                line.append("…")
            base = self._style("plain")
            segments = text_segments(line, base, self.app.console)
            strip = self._summary_strip = Strip(segments).extend_cell_length(width, base)
        return strip
