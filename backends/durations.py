"""How long something took or lasted, compact, for people: the panes, the timeline."""

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
