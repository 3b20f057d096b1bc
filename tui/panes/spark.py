"""Sparklines: a one-line trend of the last values, for the access pane's rows and summary."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def spark(values: Sequence[float], width: int = 12, top: float | None = None) -> str:
    """A one-line sparkline of the last `width` values, scaled to `top` (or the max)."""
    vals = list(values)[-width:]
    if not vals:
        return ""
    hi = top if top is not None else max(vals)
    if hi <= 0:
        return BARS[0] * len(vals)
    return "".join(BARS[min(len(BARS) - 1, int(v / hi * (len(BARS) - 1) + 0.5))] for v in vals)
