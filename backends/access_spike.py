"""The deny-rate spike rule: when a deny rate is high enough above its baseline to alert."""

from __future__ import annotations

SPIKE_FACTOR = 2.0
SPIKE_MIN_RATE = 0.15
SPIKE_MIN_DECISIONS = 50


def spike_threshold(baseline_rate: float) -> float:
    """A deny rate above this is a spike: twice the trailing baseline, and at least 15 %."""
    return max(SPIKE_MIN_RATE, SPIKE_FACTOR * baseline_rate)


def is_spike(total: int, deny_rate: float, baseline_rate: float) -> bool:
    return total >= SPIKE_MIN_DECISIONS and deny_rate > spike_threshold(baseline_rate)
