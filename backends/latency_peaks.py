"""The game day's extremes per route, from the latency snapshots as they arrive: the worst
p99.9 and the lowest adaptive inflight limit, each with when, and the limit at the start.
The report's "before and after" table shows p99.9 now; a peak that has passed (a fault
window ended, the limit recovered) was in no table. Pure: fed snapshots, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backends.models import LatencySnapshot


@dataclass
class RoutePeaks:
    worst_p999_ms: float | None = None
    worst_p999_at: datetime | None = None
    worst_is_lower_bound: bool = False  # "> X": the histogram's last finite bound
    first_limit: float | None = None
    lowest_limit: float | None = None
    lowest_limit_at: datetime | None = None


class LatencyPeaks:
    def __init__(self) -> None:
        self.since: datetime | None = None
        self.routes: dict[str, RoutePeaks] = {}

    def observe(self, snap: LatencySnapshot) -> None:
        at = snap.observed_at
        for r in snap.routes:
            if self.since is None:
                self.since = at
            p = self.routes.setdefault(r.route, RoutePeaks())
            if r.p999_ms is not None and (p.worst_p999_ms is None or r.p999_ms > p.worst_p999_ms):
                p.worst_p999_ms, p.worst_p999_at = r.p999_ms, at
                p.worst_is_lower_bound = r.above_last_bucket
            if r.limit is not None:
                if p.first_limit is None:
                    p.first_limit = r.limit
                if p.lowest_limit is None or r.limit < p.lowest_limit:
                    p.lowest_limit, p.lowest_limit_at = r.limit, at

    def reset(self) -> None:
        """Another profile: other routes, other gateways."""
        self.since = None
        self.routes.clear()
