"""`A`: every current alert, not only the three the strip has room for: critical first,
then newest, acknowledged ones last (as the strip orders them), each with when it was
raised and, below the table, the whole message of the one under the cursor (and who
acknowledged it, when). `a` there acknowledges that alert (the strip's `a` takes the top
one).

Attributes down: the App pushes the alerts in (`alerts`) once a second while it is open;
acknowledging calls back into the App, which notes it in the timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import var
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from backends.alert_acks import acked_words, raised_label, raised_words
from backends.models import Alert
from tui.footer import KeyFooter
from tui.panes.alerts import severity_label
from tui.panes.keyed_table import Column, KeyedTable


def severity_cell(a: Alert) -> Text:
    if a.acknowledged:  # "CRIT ✓ack": the severity stays
        return Text(severity_label(a), "grey50")
    return Text(severity_label(a), "bold red" if a.severity == "critical" else "bold yellow")


class AlertsScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    AlertsScreen { align: center middle; }
    #alerts-box {
        width: 95%; height: 80%;
        border: round $warning; background: $surface; padding: 0 1;
    }
    #alerts-box KeyedTable { height: 1fr; }
    #alerts-detail { height: auto; max-height: 4; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,A,q", "dismiss", "Close", key_display="esc/A/q", id="alerts-list.close"),
        Binding("a", "ack", "Ack this alert", id="alerts-list.ack"),
    ]
    alerts: var[tuple[Alert, ...]] = var((), init=False, always_update=True)

    def __init__(self, alerts: tuple[Alert, ...], ack: Callable[[str], None]) -> None:
        """`ack`: the App's, called with the key of the alert under the cursor."""
        super().__init__()
        self._initial = alerts
        self._ack = ack

    def compose(self) -> ComposeResult:
        with Vertical(id="alerts-box"):
            yield Label("", id="alerts-title")
            yield KeyedTable(
                "raised", "sev", "what", Column("message", max_width=400), id="alerts-table"
            )
            yield Static("", id="alerts-detail")  # the alert under the cursor, whole
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(KeyedTable)
        table.focus()
        self.watch(table, "cursor", self._show_detail, init=False)
        self.alerts = self._initial

    def watch_alerts(self, alerts: tuple[Alert, ...]) -> None:
        if not self.is_attached:
            return
        firing = sum(not a.acknowledged for a in alerts)
        self.query_one("#alerts-title", Label).update(
            f"Alerts · {len(alerts)} now, {firing} not acknowledged"
            if alerts
            else "Alerts · none now"
        )
        self.query_one(KeyedTable).set_rows(
            {
                a.key: (
                    raised_label(a),
                    severity_cell(a),
                    Text(a.kind.value, "grey62" if a.acknowledged else "bold"),
                    Text(a.message, "grey62" if a.acknowledged else ""),
                )
                for a in alerts
            }
        )
        self._show_detail()

    def _selected(self) -> Alert | None:
        key = self.query_one(KeyedTable).selected_key
        return next((a for a in self.alerts if a.key == key), None)

    def _show_detail(self, _: int | None = None) -> None:
        a = self._selected()
        text = Text()
        if a is not None:
            text.append(f"{raised_words(a, None)} ", "bold")
            text.append_text(severity_cell(a)).append(f" {a.kind.value}: ", "bold")
            text.append(a.message)
            if a.acknowledged:  # by whom: here, or before a restart (the audit trail)
                text.append(f" ({acked_words(a, None)})", "grey62")
        self.query_one("#alerts-detail", Static).update(text)

    def action_ack(self) -> None:
        a = self._selected()
        if a is not None:
            self._ack(a.key)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
