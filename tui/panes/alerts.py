"""The alert strip: the plan's alerts, newest first, each with the time it was raised."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import var
from textual.widgets import Static

from backends.models import Alert

SHOWN = 3


class AlertStrip(Static):
    alerts: var[tuple[Alert, ...]] = var((), always_update=True)

    def watch_alerts(self, alerts: tuple[Alert, ...]) -> None:
        self.set_class(bool(alerts), "-firing")
        if not alerts:
            self.update(Text("✓ no alerts", style="green"))
            return
        text = Text()
        for i, a in enumerate(alerts[:SHOWN]):
            if i:
                text.append("\n")
            sev = (
                ("CRIT", "bold white on red")
                if a.severity == "critical"
                else ("WARN", "bold black on yellow")
            )
            text.append(f"{a.raised_at:%H:%M:%S}Z ", "grey62")
            text.append(f" {sev[0]} ", sev[1])
            text.append(f" {a.kind.value}: ", "bold")
            text.append(a.message)
        if len(alerts) > SHOWN:
            text.append(f"   (+{len(alerts) - SHOWN} more)", "grey62")
        self.update(text)
