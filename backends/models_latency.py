"""Latency models: per-route p99.9 against its SLO, adaptive inflight limits, cache hit
ratios, and the latency snapshot. Re-exported from backends.models, where everyone imports
them."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from backends.models_base import Model, Snapshot


class RouteState(StrEnum):
    """Per route: a value, nothing to compute one from, or a failed query."""

    OK = "ok"
    NO_DATA = "no-data"
    ERROR = "error"


class RouteLatency(Model):
    route: str
    p999_ms: float | None
    slo_ms: float
    observations: int
    error_rate: float | None = 0.0  # None: unknown (no series, or no requests: NaN)
    limit: float | None = None
    inflight: float | None = None
    blocked: float = 0.0
    history: tuple[float, ...] = ()
    above_last_bucket: bool = False  # p999_ms is a lower bound ("> X")
    state: RouteState = RouteState.OK
    error: str = ""  # why state is ERROR
    # The true p99.9 lies in [p999_low_ms, p999_high_ms]: the histogram bucket it fell in,
    # or the sketch's relative-error bound. None: unknown (or unbounded above).
    p999_low_ms: float | None = None
    p999_high_ms: float | None = None

    @property
    def low_confidence(self) -> bool:
        return self.observations < 1000


class CacheLayer(Model):
    layer: Literal["edge", "app", "db"] | str
    hit_ratio: float


class LatencySnapshot(Snapshot):
    window_s: float = 60.0
    routes: tuple[RouteLatency, ...] = ()
    cache: tuple[CacheLayer, ...] = ()
    history_step_s: float = 5.0  # seconds between RouteLatency.history points
    method: str = ""  # how p99.9 was computed, e.g. "DDSketch ±0.5%", "classic buckets"
