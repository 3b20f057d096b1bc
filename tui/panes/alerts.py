"""The alert strip: the plan's alerts, newest first, each with the time it was raised;
acknowledged ones (`a`) are dimmed below the others until their condition clears, and
keep their severity ("CRIT ✓ack": an acknowledged CRIT is still a CRIT). With
more than it has lines for, its last line says how many more and which kinds, from its
first cell (at the end of a long message it was cut off). An alert that was there when
the dashboard started, with no time of its own in its data, says "since start"."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import var

from backends.alert_acks import raised_label
from backends.models import Alert
from tui.palette import key_of
from tui.panes.line import Line

SHOWN = 3
ACK_MARK = "✓ack"


def severity_label(a: Alert) -> str:
    """CRIT or WARN, with ACK_MARK after it once acknowledged (the strip and `A`)."""
    sev = "CRIT" if a.severity == "critical" else "WARN"
    return f"{sev} {ACK_MARK}" if a.acknowledged else sev


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
            if a.acknowledged:
                badge = "grey50 on grey23"
            else:
                badge = "bold white on red" if a.severity == "critical" else "bold black on yellow"
            text.append(f"{raised_label(a)} ", "grey62")
            text.append(f" {severity_label(a)} ", badge)
            text.append(f" {a.kind.value}: ", "grey62" if a.acknowledged else "bold")
            text.append(a.message, "grey62" if a.acknowledged else "")
        if more:
            kinds = ", ".join(dict.fromkeys(a.kind.value for a in more))
            text.append(
                f"\n+{len(more)} more · {key_of(self.app, 'alerts.list')} lists all", "bold"
            )
            text.append(f" · {kinds}", "grey62")
        self.update(text)
