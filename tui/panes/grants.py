"""Break-glass grants with a live countdown computed from `expires_at` at render."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable

from backends.models import Grant, GrantsSnapshot
from tui.fmt import duration
from tui.panes.base import SourcePane
from tui.panes.table import sync_table


def countdown(g: Grant, now: datetime) -> Text:
    left = g.remaining(now)
    secs = left.total_seconds()
    if secs <= 0:
        return Text(f"EXPIRED {duration(-secs)} ago", style="bold red", justify="right")
    style = "yellow" if secs < 300 else ""
    return Text(duration(left), style=style, justify="right")


class GrantsPane(SourcePane):
    TITLE = "Break-glass grants"

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(
            id="grants-table", cursor_type="row", zebra_stripes=True
        )
        table.add_column("id", key="id")
        table.add_column("subject", key="subject")
        table.add_column("role", key="role")
        table.add_column("expires in", key="left")
        table.add_column("by", key="by")
        table.add_column("reason", key="reason")
        yield table

    def show(self, snap: GrantsSnapshot) -> None:
        now = self.now
        rows = {}
        for g in snap.grants:
            style = "red" if g.expired(now) else ""
            rows[g.id] = (
                g.id,
                Text(g.subject, style=style),
                g.role,
                countdown(g, now),
                g.granted_by,
                g.reason,
            )
        sync_table(self.table(), rows)
        self.set_class(not snap.grants, "-empty")

    def tick(self, snap: GrantsSnapshot, now: datetime) -> None:
        table = self.table()
        for g in snap.grants:
            if g.id in table.rows:
                table.update_cell(g.id, "left", countdown(g, now))
