"""The alert strip: the plan's alerts, newest first, each with the time it was raised;
acknowledged ones (`a`) are dimmed below the others until their condition clears, and
keep their severity ("CRIT ✓ack": an acknowledged CRIT is still a CRIT). With
more than it has lines for, its last line says how many more and which kinds, from its
first cell (at the end of a long message it was cut off). An alert that was there when
the dashboard started, with no time of its own in its data, says "since start". A line
too wide for the strip (80 columns) shortens a kept alert's "(no data since ...)" mark to
"(as of ...)", so its figures stay in view."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import var

from backends.alert_acks import raised_label
from backends.alerts import short_message
from backends.models import Alert
from tui.palette import key_of
from tui.panes.line import FlowLine

SHOWN = 3
ACK_MARK = "✓ack"


def severity_label(a: Alert) -> str:
    """CRIT or WARN, with ACK_MARK after it once acknowledged (the strip and `A`)."""
    sev = "CRIT" if a.severity == "critical" else "WARN"
    return f"{sev} {ACK_MARK}" if a.acknowledged else sev


class AlertStrip(FlowLine):
    alerts: var[tuple[Alert, ...]] = var((), always_update=True)

    def watch_alerts(self, alerts: tuple[Alert, ...]) -> None:
        self.set_class(any(not a.acknowledged for a in alerts), "-firing")
        self.show(lambda width: self._strip_text(alerts, width))

    def _strip_text(self, alerts: tuple[Alert, ...], width: int) -> Text:
        if not alerts:
            return Text("✓ no alerts", style="green")
        more = alerts[SHOWN - 1 :] if len(alerts) > SHOWN else ()
        lines = []
        for a in alerts[: SHOWN - 1] if more else alerts:
            line = _line(a, a.message)
            lines.append(line if line.cell_len <= width else _line(a, short_message(a)))
        if more:
            kinds = ", ".join(dict.fromkeys(a.kind.value for a in more))
            key = key_of(self.app, "alerts.list")
            lines.append(
                Text.assemble(
                    (f"+{len(more)} more · {key} lists all", "bold"), (f" · {kinds}", "grey62")
                )
            )
        return Text("\n").join(lines)


def _line(a: Alert, message: str) -> Text:
    if a.acknowledged:
        badge = "grey50 on grey23"
    else:
        badge = "bold white on red" if a.severity == "critical" else "bold black on yellow"
    return Text.assemble(
        (f"{raised_label(a)} ", "grey62"),
        (f" {severity_label(a)} ", badge),
        (f" {a.kind.value}: ", "grey62" if a.acknowledged else "bold"),
        (message, "grey62" if a.acknowledged else ""),
    )
