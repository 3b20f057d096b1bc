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
