"""Deny rates from a stream of policy decisions, in fixed memory (pure logic, no I/O).

`DenyWindow` counts `Event`s per attribute value in a ring of one-second buckets (memory
bounded by the bucket count and the values kept per dimension, backends.access_keys,
never by the event rate), keeps a sparkline
per key, the overall deny rate's trailing baseline (median of 5 s rates over 10 minutes,
so a spike does not lift its own baseline), the last N decisions for a policy dry-run,
the recent denials, the top denials over the window (backends/access_denials.py), and
how many events were dropped.

A decision is counted in the bucket of its own timestamp, not of its arrival: a backlog
delivered after an outage lands in the seconds it happened in (a decision older than the
window is counted as late, not in a bucket), so it never inflates the current minute.
One stamped more than FUTURE_SKEW_S ahead of our clock (a publisher's clock set wrong, a
`2030-01-01T00:00:00Z`) is not counted at all, only as skewed: clamped to now, it went
into every minute it was not made in.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Iterable
from datetime import datetime

from backends.access_denials import DenialCounts, denial_key
from backends.access_events import Event, decision_of, event_seconds
from backends.access_keys import OTHER, AttrKeys
from backends.models import AccessSnapshot, Decision, DenyRateRow, SourceHealth

__all__ = ["FUTURE_SKEW_S", "OTHER", "DenyWindow"]

FUTURE_SKEW_S = 30.0  # how far ahead of our clock a decision's own time may be (clock skew)


class DenyWindow:
    """Sliding-window deny rates per (dimension, value), in a ring of buckets.

    Key 0 is "all decisions". At most `max_values_per_dimension` values are tracked per
    dimension; later values of a full dimension are counted under "(other)".
    """

    def __init__(
        self,
        *,
        window_buckets: int = 60,
        bucket_s: float = 1.0,
        history_bucket_s: int = 5,
        history_points: int = 60,
        baseline_points: int = 120,
        max_values_per_dimension: int = 32,
        recent_kept: int = 5000,
        recent_denied: int = 200,
    ) -> None:
        if window_buckets < 2 or bucket_s <= 0 or history_bucket_s < 1:
            raise ValueError("need at least two buckets of positive length")
        self.n = window_buckets
        self.bucket_s = bucket_s
        self.history_bucket_s = history_bucket_s
        self._attrs = AttrKeys(max_values_per_dimension)
        self.n_keys = nk = self._attrs.n_keys
        self._tot = [[0] * nk for _ in range(window_buckets)]
        self._den = [[0] * nk for _ in range(window_buckets)]
        self._drop = [0] * window_buckets
        self._late = [0] * window_buckets  # arrived older than the window, by arrival
        self._sum_tot = [0] * nk  # closed buckets still in the window
        self._sum_den = [0] * nk
        self._sum_drop = 0
        self._sum_late = 0
        self.bucket: int | None = None
        self._cur_bucket = 0  # self.bucket once there is one
        self._cur_start = float("-inf")  # when it began (s since the epoch)
        self.cur_tot = self._tot[0]
        self.cur_den = self._den[0]
        self._hist_tot = [0] * nk
        self._hist_den = [0] * nk
        self.history: list[deque[float]] = [deque(maxlen=history_points) for _ in range(nk)]
        self._baseline: deque[float] = deque(maxlen=baseline_points)
        self.recent: deque[Event] = deque(maxlen=recent_kept)
        self.denied_recent: deque[tuple[int, Event]] = deque(maxlen=recent_denied)  # bucket
        self._denial_kinds = DenialCounts(window_buckets)  # by service and rule
        self.dropped_total = 0
        self.late_total = 0
        self.skewed = 0  # stamped more than FUTURE_SKEW_S ahead: not counted (since start)
        self.malformed = 0
        self.oversized = 0
        self.accepted = 0

    # --- time ---------------------------------------------------------------------------

    def rotate_to(self, now_s: float) -> None:
        b = int(now_s // self.bucket_s)
        self._denial_kinds.rotate_to(b)
        if self.bucket is None:
            self.bucket = b
            self.cur_tot, self.cur_den = self._tot[b % self.n], self._den[b % self.n]
            self._cur_bucket, self._cur_start = b, b * self.bucket_s
            return
        steps = b - self.bucket
        if steps <= 0:
            return
        nk, st, sd = self.n_keys, self._sum_tot, self._sum_den
        for _ in range(min(steps, self.n + self.history_bucket_s)):
            ct, cd = self.cur_tot, self.cur_den
            ht, hd = self._hist_tot, self._hist_den
            for k in range(nk):
                st[k] += ct[k]
                sd[k] += cd[k]
                ht[k] += ct[k]
                hd[k] += cd[k]
            self._sum_drop += self._drop[self.bucket % self.n]
            self._sum_late += self._late[self.bucket % self.n]
            self.bucket += 1
            if self.bucket % self.history_bucket_s == 0:
                self._close_history()
            slot = self.bucket % self.n
            ot, od = self._tot[slot], self._den[slot]
            for k in range(nk):
                st[k] -= ot[k]
                sd[k] -= od[k]
                ot[k] = 0
                od[k] = 0
            self._sum_drop -= self._drop[slot]
            self._drop[slot] = 0
            self._sum_late -= self._late[slot]
            self._late[slot] = 0
            self.cur_tot, self.cur_den = ot, od
        if self.bucket != b:  # a jump past the whole ring: every slot is empty by now
            self.bucket = b
            self.cur_tot, self.cur_den = self._tot[b % self.n], self._den[b % self.n]
        self._cur_bucket, self._cur_start = b, b * self.bucket_s

    def _close_history(self) -> None:
        ht, hd = self._hist_tot, self._hist_den
        if ht[0]:
            self._baseline.append(hd[0] / ht[0])
        for k in range(len(self._attrs.names)):
            self.history[k].append(round(hd[k] / ht[k], 4) if ht[k] else 0.0)
        for k in range(self.n_keys):
            ht[k] = 0
            hd[k] = 0

    # --- the hot path -------------------------------------------------------------------

    def add(self, ev: Event, now_s: float) -> None:
        """Count one decision received at `now_s`, in the bucket of its own timestamp
        (clamped to now: a clock a little ahead of ours; now when it has none). One older
        than the window is kept for the dry-run and counted as late, not in the rates;
        one more than FUTURE_SKEW_S ahead is counted as skewed, and nowhere else."""
        if int(now_s // self.bucket_s) != self.bucket:
            self.rotate_to(now_s)
        t = event_seconds(ev.timestamp)
        if t is not None and t > now_s + FUTURE_SKEW_S:
            self.skewed += 1
            return
        self.recent.append(ev)
        self.accepted += 1
        if t is not None and t < self._cur_start:  # made before the current bucket
            b = int(t // self.bucket_s)
            if b < self._cur_bucket:
                self._add_past(ev, b)
                return
        ks = self._attrs.of(ev.attrs)
        tot = self.cur_tot
        for k in ks:
            tot[k] += 1
        if not ev.allowed:
            den = self.cur_den
            for k in ks:
                den[k] += 1
            self.denied_recent.append((self._cur_bucket, ev))
            self._denial_kinds.add(self._cur_bucket, denial_key(ev.attrs[0], ev.reason))

    def _add_past(self, ev: Event, b: int) -> None:
        """A decision of an earlier bucket `b`: counted there, in the sums of the closed
        buckets and in the open history point, if it is still in the window."""
        cur = self._cur_bucket
        if b <= cur - self.n:
            self._late[cur % self.n] += 1
            self.late_total += 1
            return
        ks = self._attrs.of(ev.attrs)
        slot = b % self.n
        tot, st, ht = self._tot[slot], self._sum_tot, self._hist_tot
        for k in ks:
            tot[k] += 1
            st[k] += 1
            ht[k] += 1
        if not ev.allowed:
            den, sd, hd = self._den[slot], self._sum_den, self._hist_den
            for k in ks:
                den[k] += 1
                sd[k] += 1
                hd[k] += 1
            self.denied_recent.append((b, ev))
            self._denial_kinds.add(b, denial_key(ev.attrs[0], ev.reason))

    def add_many(self, events: Iterable[Event], now_s: float) -> None:
        for ev in events:
            self.add(ev, now_s)

    def dropped(self, n: int, now_s: float) -> None:
        """`n` events were lost before they could be counted (a full queue)."""
        self.rotate_to(now_s)
        if self.bucket is not None:
            self._drop[self.bucket % self.n] += n
        self.dropped_total += n

    # --- reading ------------------------------------------------------------------------

    def totals(self) -> tuple[list[int], list[int]]:
        st, sd, ct, cd = self._sum_tot, self._sum_den, self.cur_tot, self.cur_den
        return [a + b for a, b in zip(st, ct, strict=True)], [
            a + b for a, b in zip(sd, cd, strict=True)
        ]

    @property
    def dropped_in_window(self) -> int:
        cur = self._drop[self.bucket % self.n] if self.bucket is not None else 0
        return self._sum_drop + cur

    @property
    def late_in_window(self) -> int:
        """Decisions that arrived in the window already older than it (a backlog)."""
        cur = self._late[self.bucket % self.n] if self.bucket is not None else 0
        return self._sum_late + cur

    @property
    def baseline(self) -> float | None:
        return statistics.median(self._baseline) if self._baseline else None

    def rows(self) -> tuple[DenyRateRow, ...]:
        tot, den = self.totals()
        rows = [
            DenyRateRow.of(dim, val, tot[k], den[k], self.history[k])
            for k, (dim, val) in enumerate(self._attrs.names)
            if k and tot[k]
        ]
        rows.sort(key=DenyRateRow.worst_first_key)
        return tuple(rows)

    def recent_decisions(self, limit: int, fallback: datetime) -> list[Decision]:
        """The last `limit` decisions, oldest first."""
        items = list(self.recent)[-limit:] if limit > 0 else []
        return [decision_of(e, fallback) for e in items]

    def denied_in_window(self, limit: int) -> list[Event]:
        """The last `limit` denials still in the window (those the rows count), oldest
        first."""
        if self.bucket is None or limit <= 0:
            return []
        oldest = self.bucket - self.n
        return [ev for b, ev in self.denied_recent if b > oldest][-limit:]

    def snapshot(
        self,
        now: datetime,
        health: SourceHealth,
        *,
        source: str,
        source_samples: bool = False,
        recent_denied: int = 50,
        counts_at: datetime | None = None,
    ) -> AccessSnapshot:
        """The window at `now`; or, for a source that stopped receiving, as it was at
        `counts_at` (when it last received): its counts are kept, not drained by the
        clock while nothing can arrive."""
        self.rotate_to((counts_at or now).timestamp())
        tot, den = self.totals()
        rate = den[0] / tot[0] if tot[0] else 0.0
        base = self.baseline
        denied = self.denied_in_window(recent_denied)
        dropped = self.dropped_in_window
        return AccessSnapshot(
            observed_at=now,
            health=health,
            source=source,
            window_s=self.n * self.bucket_s,
            total=tot[0],
            denied=den[0],
            deny_rate=rate,
            baseline_rate=base if base is not None else rate,
            history=tuple(self.history[0]),
            rows=self.rows(),
            recent_denied=tuple(decision_of(e, now) for e in reversed(denied)),
            top_denials=self._denial_kinds.top(),
            dropped=dropped,
            sampled=source_samples or dropped > 0,
            malformed=self.malformed,
            skewed=self.skewed,
            oversized=self.oversized,
            late=self.late_in_window,
        )
