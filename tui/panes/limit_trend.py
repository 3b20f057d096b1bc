"""Which way each route's adaptive inflight limit has moved lately: the game day's question
"is the gateway shedding?" at a glance. The limit steps 10 at a time every few seconds, so
two snapshots in a row would often show no change; the limit is compared with what it was
WINDOW ago instead. Fed the snapshots the pane is given; no I/O."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(seconds=30)
DOWN, UP = "↓", "↑"


class LimitTrend:
    def __init__(self, window: timedelta = WINDOW) -> None:
        self.window = window
        self._seen: dict[str, deque[tuple[datetime, float]]] = {}

    def observe(self, route: str, at: datetime, limit: float | None) -> str:
        """DOWN, UP or "" for `limit` at `at` against the limit about `window` before."""
        if limit is None:
            self._seen.pop(route, None)
            return ""
        seen = self._seen.setdefault(route, deque())
        if seen and seen[-1][0] >= at:  # the same snapshot again (a repaint)
            seen.pop()
        seen.append((at, limit))
        while len(seen) > 1 and seen[1][0] <= at - self.window:
            seen.popleft()  # keep the last value from before the window, as "then"
        then = seen[0][1]
        return DOWN if limit < then else UP if limit > then else ""
