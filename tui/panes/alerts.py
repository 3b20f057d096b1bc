"""The alert strip: the plan's alerts, newest first, each with the time it was raised;
acknowledged ones (`a`) are dimmed below the others until their condition clears. With
more than it has lines for, its last line says how many more and which kinds, from its
first cell (at the end of a long message it was cut off)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import var

from backends.models import Alert
from tui.panes.line import Line

SHOWN = 3


class AlertStrip(Line):
    alerts: var[tuple[Alert, ...]] = var((), always_update=True)

    def watch_alerts(self, alerts: tuple[Alert, ...]) -> None:
        self.set_class(any(not a.acknowledged for a in alerts), "-firing")
        if not alerts:
            self.update(Text("✓ no alerts", style="green"))
            return
        text = Text()
        more = alerts[SHOWN - 1 :] if len(alerts) > SHOWN else ()
        for i, a in enumerate(alerts[: SHOWN - 1] if more else alerts):
            if i:
                text.append("\n")
            sev = (
                ("CRIT", "bold white on red")
                if a.severity == "critical"
                else ("WARN", "bold black on yellow")
            )
            if a.acknowledged:
                sev = ("ACK ", "grey50 on grey23")
            text.append(f"{a.raised_at:%H:%M:%S}Z ", "grey62")
            text.append(f" {sev[0]} ", sev[1])
            text.append(f" {a.kind.value}: ", "grey62" if a.acknowledged else "bold")
            text.append(a.message, "grey62" if a.acknowledged else "")
        if more:
            kinds = ", ".join(dict.fromkeys(a.kind.value for a in more))
            text.append(f"\n+{len(more)} more · A lists all", "bold")
            text.append(f" · {kinds}", "grey62")
        self.update(text)
