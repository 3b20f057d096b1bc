"""How long something took or lasted, compact, for people: the panes, the timeline, the
alerts and the report (a latency reads "2.22 s" in all of them, never "2220 ms" in one).

A toast wraps its message at any space, a no-break space too (Textual's wrap takes U+00A0
for one), and split "2.22" / "s" over two lines: what a toast says is written with
`sep=""` ("2.22s", "155ms"), as a duration already is ("35s")."""

from __future__ import annotations

from datetime import timedelta


def duration(td: timedelta | float) -> str:
    """Compact, fixed-ish width: 45s, 4m05s, 1h02m, 3d04h; negative with a leading '-'."""
    secs = td.total_seconds() if isinstance(td, timedelta) else td
    sign = "-" if secs < 0 else ""
    s = int(abs(secs))
    if s < 60:
        return f"{sign}{s}s"
    if s < 3600:
        return f"{sign}{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{sign}{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{sign}{s // 86400}d{s % 86400 // 3600:02d}h"


def delay(ms: float) -> str:
    """A fault's delay as it is typed: 800ms, 1s, 2.5s, 1m (it read 1000ms, +1000 ms)."""
    if ms < 1000:
        return f"{ms:g}ms"
    secs = ms / 1000
    if secs >= 60 and secs % 60 == 0:
        return f"{secs / 60:g}m"
    return f"{secs:g}s"


def ms(value: float | None, sep: str = " ") -> str:
    """Milliseconds, `sep` between the number and its unit ("" in a toast)."""
    if value is None:
        return "—"
    return f"{value:,.0f}{sep}ms" if value >= 10 else f"{value:.1f}{sep}ms"


def latency(value: float | None, sep: str = " ") -> str:
    """A latency as short as a narrow column needs: ms under a second, seconds above
    ("2.58 s", not "2,579 ms": at 80 columns the wider value pushed inflight out of view).
    The latency pane, the alerts, the timeline and the report all say it so; a toast with
    `sep=""` ("2.58s"), so that its number and unit stay on one line."""
    if value is None or value < 1000:
        return ms(value, sep)
    secs = value / 1000
    n = f"{secs:.2f}" if secs < 10 else f"{secs:.1f}" if secs < 100 else f"{secs:,.0f}"
    return f"{n}{sep}s"
