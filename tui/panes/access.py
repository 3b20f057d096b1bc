"""Access (ABAC): deny rate over the window, its trend, and the worst keys."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from backends.models import AccessSnapshot
from tui.fmt import pct
from tui.panes.base import SourcePane
from tui.panes.table import spark, sync_table

TOP_ROWS = 12


class AccessPane(SourcePane):
    TITLE = "Access · ABAC deny rates"

    def compose(self) -> ComposeResult:
        yield Static("", id="access-summary", classes="summary")
        table: DataTable[str | Text] = DataTable(
            id="access-table", cursor_type="row", zebra_stripes=True
        )
        table.add_columns("key", "deny", "denied", "total", "trend")
        yield table

    def show(self, snap: AccessSnapshot) -> None:
        rate_style = "bold red" if snap.deny_rate > max(0.15, 2 * snap.baseline_rate) else "bold"
        summary = Text.assemble(
            "deny ",
            (pct(snap.deny_rate), rate_style),
            f" of {snap.total:,} decisions in {snap.window_s:.0f}s · baseline ",
            pct(snap.baseline_rate),
            "  ",
            (spark(snap.history, 24), "magenta"),
        )
        if snap.sampled or snap.dropped:
            summary.append(f"  sampled: {snap.dropped:,} events dropped", "yellow")
        self.query_one("#access-summary", Static).update(summary)
        rows = {}
        for r in snap.rows[:TOP_ROWS]:
            key = f"{r.dimension}={r.value}"
            style = "red" if r.rate > max(0.15, 2 * snap.baseline_rate) else ""
            rows[key] = (
                key,
                Text(pct(r.rate), style=style, justify="right"),
                Text(f"{r.denied:,}", justify="right"),
                Text(f"{r.total:,}", justify="right"),
                spark(r.history, 12, 1.0),
            )
        sync_table(self.table(), rows)
