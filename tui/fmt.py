"""Small text formatters shared by panes and headless output. Pure functions."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text

from backends.durations import duration as duration  # the panes' too
from backends.models import HealthState, SourceHealth

HEALTH_STYLE = {
    HealthState.OK: ("●", "green"),
    HealthState.STALE: ("◐", "yellow"),
    HealthState.ERROR: ("✖", "red"),
    HealthState.NO_DATA: ("○", "grey50"),
}


def ago(td: timedelta) -> str:
    """How long ago, as coarse as a person reads it: 45s, 12m, 3h, 2d. A coarse unit also
    changes less often, so "ago" texts repaint once a minute, not every second."""
    s = int(td.total_seconds())
    if s < 60:
        return f"{max(s, 0)}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def latency(value: float) -> str:
    """A latency as short as a narrow column needs: ms under a second, seconds above
    ("2.58 s", not "2,579 ms": at 80 columns the wider value pushed inflight out of view)."""
    if value < 1000:
        return ms(value)
    secs = value / 1000
    return f"{secs:.2f} s" if secs < 10 else f"{secs:.1f} s" if secs < 100 else f"{secs:,.0f} s"


def pct(ratio: float, digits: int = 1) -> str:
    return f"{ratio * 100:.{digits}f}%"


def health_text(health: SourceHealth, now: datetime, source: str) -> Text:
    state = health.effective_state(now)
    glyph, style = HEALTH_STYLE[state]
    text = Text.assemble((f"{glyph} {state.value}", style), f" · {source}")
    age = health.age_s(now)
    if state is not HealthState.OK:
        text.append(f" · data {duration(age)} old" if age is not None else " · no data yet")
        if health.last_error:
            err = (
                health.last_error if len(health.last_error) <= 60 else health.last_error[:59] + "…"
            )
            text.append(f" · {err}", style)
    return text


# A form submitted after a switch to a read-only profile: it stays open, nothing is sent.
FORM_READ_ONLY = "Read-only mode now: nothing can be changed from here (esc closes)."
