"""Fault windows: scheduled, active and ended, with a countdown to the next edge."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from backends.models import FaultsSnapshot, FaultWindow, WindowState
from tui.fmt import duration
from tui.panes.base import SourcePane
from tui.panes.table import sync_table

STATE_STYLE = {
    WindowState.SCHEDULED: "cyan",
    WindowState.ACTIVE: "bold yellow",
    WindowState.ENDED: "grey50",
}


def when(w: FaultWindow, now: datetime) -> Text:
    state = w.state(now)
    if state is WindowState.SCHEDULED:
        return Text(f"starts in {duration(w.starts_at - now)}", justify="right")
    if state is WindowState.ACTIVE:
        return Text(f"ends in {duration(w.ends_at - now)}", "yellow", justify="right")
    end = w.ended_early_at or w.ends_at
    return Text(f"ended {duration(now - end)} ago", "grey50", justify="right")


def fault_text(w: FaultWindow) -> str:
    parts = []
    if w.spec.delay_percent:
        parts.append(f"+{w.spec.delay_ms} ms @{w.spec.delay_percent:g}%")
    if w.spec.abort_percent:
        parts.append(f"{w.spec.abort_status} @{w.spec.abort_percent:g}%")
    return ", ".join(parts)


class FaultsPane(SourcePane):
    TITLE = "Fault windows"

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="faults-table", cursor_type="row")
        table.add_column("id", key="id")
        table.add_column("state", key="state")
        table.add_column("target", key="target")
        table.add_column("fault", key="fault")
        table.add_column("when", key="when")
        table.add_column("owner", key="owner")
        yield table
        yield Static(
            "No fault windows. The mesh is as it was built.", id="faults-empty", classes="empty"
        )

    def show(self, snap: FaultsSnapshot) -> None:
        now = self.now
        order = {WindowState.ACTIVE: 0, WindowState.SCHEDULED: 1, WindowState.ENDED: 2}
        windows = sorted(snap.windows, key=lambda w: (order[w.state(now)], w.starts_at, w.id))
        rows = {}
        for w in windows:
            state = w.state(now)
            rows[w.id] = (
                w.id,
                Text(state.value, STATE_STYLE[state]),
                f"{w.spec.namespace}/{w.spec.target_host}",
                fault_text(w),
                when(w, now),
                w.owner,
            )
        sync_table(self.table(), rows)
        self.set_class(not snap.windows, "-empty")

    def tick(self, snap: FaultsSnapshot, now: datetime) -> None:
        self.show(snap)
