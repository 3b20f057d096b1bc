"""Fixed-memory sliding windows: a ring of per-bucket counters or samples.

A window of ``n`` buckets holds the current (open) bucket and the ``n - 1`` before it.
Buckets are addressed by an absolute, monotonically increasing index (whole seconds
since the simulation's origin); ``rotate_to`` opens a later bucket and forgets the ones
that fall out. Memory never depends on how many events arrived.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import cast

from backends.quantile import DEFAULT_ALPHA, Key, QuantileSketch


class CounterWindow:
    """Per key: events and "hits" (denied, errors ...) over the last ``n_buckets`` buckets.

    The hot path increments ``cur_total[key]`` and ``cur_hits[key]`` directly.
    """

    __slots__ = (
        "_closed_hits",
        "_closed_total",
        "_hits",
        "_total",
        "bucket",
        "cur_hits",
        "cur_total",
        "n_buckets",
        "n_keys",
    )

    def __init__(self, n_keys: int, n_buckets: int, bucket: int = 0) -> None:
        if n_keys < 1 or n_buckets < 2:
            raise ValueError("need at least one key and two buckets")
        self.n_keys = n_keys
        self.n_buckets = n_buckets
        self._total = [[0] * n_keys for _ in range(n_buckets)]
        self._hits = [[0] * n_keys for _ in range(n_buckets)]
        self._closed_total = [0] * n_keys
        self._closed_hits = [0] * n_keys
        self.bucket = bucket
        self.cur_total = self._total[bucket % n_buckets]
        self.cur_hits = self._hits[bucket % n_buckets]

    def reset(self, bucket: int) -> None:
        for row in self._total:
            row[:] = [0] * self.n_keys
        for row in self._hits:
            row[:] = [0] * self.n_keys
        self._closed_total[:] = [0] * self.n_keys
        self._closed_hits[:] = [0] * self.n_keys
        self.bucket = bucket
        self.cur_total = self._total[bucket % self.n_buckets]
        self.cur_hits = self._hits[bucket % self.n_buckets]

    def rotate_to(self, bucket: int) -> None:
        steps = bucket - self.bucket
        if steps <= 0:
            return
        if steps >= self.n_buckets:
            self.reset(bucket)
            return
        n, ct, ch = self.n_buckets, self._closed_total, self._closed_hits
        for _ in range(steps):
            cur_t, cur_h = self.cur_total, self.cur_hits
            for k in range(self.n_keys):
                ct[k] += cur_t[k]
                ch[k] += cur_h[k]
            self.bucket += 1
            slot = self.bucket % n
            old_t, old_h = self._total[slot], self._hits[slot]
            for k in range(self.n_keys):
                ct[k] -= old_t[k]
                ch[k] -= old_h[k]
                old_t[k] = 0
                old_h[k] = 0
            self.cur_total, self.cur_hits = old_t, old_h

    def totals(self) -> list[int]:
        return [a + b for a, b in zip(self._closed_total, self.cur_total, strict=True)]

    def hits(self) -> list[int]:
        return [a + b for a, b in zip(self._closed_hits, self.cur_hits, strict=True)]

    def last_closed(self, count: int) -> tuple[list[int], list[int]]:
        """Summed counts of the ``count`` buckets just before the current one."""
        count = min(count, self.n_buckets - 1)
        tot = [0] * self.n_keys
        hit = [0] * self.n_keys
        for back in range(1, count + 1):
            slot = (self.bucket - back) % self.n_buckets
            bt, bh = self._total[slot], self._hits[slot]
            for k in range(self.n_keys):
                tot[k] += bt[k]
                hit[k] += bh[k]
        return tot, hit


class SampleWindow:
    """The raw samples of the last ``n_buckets`` buckets (bounded by the sampling rate)."""

    __slots__ = ("_ring", "bucket", "cur", "n_buckets")

    def __init__(self, n_buckets: int, bucket: int = 0) -> None:
        if n_buckets < 2:
            raise ValueError("need at least two buckets")
        self.n_buckets = n_buckets
        self._ring: list[list[float]] = [[] for _ in range(n_buckets)]
        self.bucket = bucket
        self.cur = self._ring[bucket % n_buckets]

    def reset(self, bucket: int) -> None:
        for b in self._ring:
            b.clear()
        self.bucket = bucket
        self.cur = self._ring[bucket % self.n_buckets]

    def rotate_to(self, bucket: int) -> None:
        steps = bucket - self.bucket
        if steps <= 0:
            return
        if steps >= self.n_buckets:
            self.reset(bucket)
            return
        for _ in range(steps):
            self.bucket += 1
            self._ring[self.bucket % self.n_buckets].clear()
        self.cur = self._ring[self.bucket % self.n_buckets]

    def __len__(self) -> int:
        return sum(len(b) for b in self._ring)

    def values(self) -> list[float]:
        out: list[float] = []
        for b in self._ring:
            out.extend(b)
        return out


class SketchWindow:
    """The samples of the last ``n_buckets`` buckets, as one quantile sketch.

    Each bucket remembers how many of its samples fell in each sketch key, so when it falls
    out of the window those counts are taken out of the sketch again. The open bucket
    counts in a dict; a closed one keeps its (key, count) pairs packed in an int64 array.
    Memory is the sketch (bounded by its bin limit) plus 16 bytes per distinct key per
    bucket: it grows with the sample rate only up to the number of keys a second spans.

    ``add_many`` (the simulator's hot path) only queues its values: they go into the sketch
    in one bulk add, in the order given, before anything reads the window or the bucket
    closes. Every read sees exactly what adding each value on arrival would have given.
    """

    __slots__ = ("_closed", "_cur", "_pending", "_sketch", "bucket", "n_buckets")

    def __init__(self, n_buckets: int, bucket: int = 0, alpha: float = DEFAULT_ALPHA) -> None:
        if n_buckets < 2:
            raise ValueError("need at least two buckets")
        self.n_buckets = n_buckets
        self._sketch = QuantileSketch(alpha)
        self._closed: list[array[int]] = [_EMPTY for _ in range(n_buckets)]
        self.bucket = bucket
        self._cur: Counter[Key] = Counter()
        self._pending: list[float] = []

    @property
    def sketch(self) -> QuantileSketch:
        self._flush()
        return self._sketch

    @property
    def cur(self) -> Counter[Key]:
        """How many of the open bucket's samples fell in each sketch key."""
        self._flush()
        return self._cur

    def _flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, []
            self._sketch.add_many(pending, self._cur)

    def add(self, value: float) -> None:
        self._flush()
        self._cur[self._sketch.add(value)] += 1

    def add_many(self, values: Sequence[float]) -> None:
        """add() each value in turn, deferred (see the class docstring)."""
        self._pending += values

    def reset(self, bucket: int) -> None:
        self._closed = [_EMPTY for _ in range(self.n_buckets)]
        self._cur = Counter()
        self._pending = []
        self._sketch.clear()
        self.bucket = bucket

    def rotate_to(self, bucket: int) -> None:
        steps = bucket - self.bucket
        if steps <= 0:
            return
        if steps >= self.n_buckets:
            self.reset(bucket)
            return
        self._flush()
        sketch, n = self._sketch, self.n_buckets
        for _ in range(steps):
            cur = self._cur
            if cur:  # packed key, count, key, count ... (chained in C)
                pairs = cast("Iterable[tuple[int, int]]", cur.items())
                if None in cur:  # ZERO has no int key: _ZERO_KEY stands for it
                    pairs = [(_ZERO_KEY if k is None else k, c) for k, c in cur.items()]
                self._closed[self.bucket % n] = array("q", chain.from_iterable(pairs))
                self._cur = Counter()
            self.bucket += 1
            old = self._closed[self.bucket % n]
            if not old:
                continue
            keys, counts = old[0::2], old[1::2]
            if _ZERO_KEY in keys:
                for k, c in zip(keys, counts, strict=True):
                    sketch.remove_key(None if k == _ZERO_KEY else k, c)
            else:
                sketch.remove_counts(keys, counts)
            self._closed[self.bucket % n] = _EMPTY

    def __len__(self) -> int:
        return self.sketch.count

    def quantile(self, q: float) -> float | None:
        return self.sketch.quantile(q)

    def quantile_bounds(self, q: float) -> tuple[float, float] | None:
        return self.sketch.quantile_bounds(q)


_EMPTY: array[int] = array("q")
_ZERO_KEY = -(2**62)  # stands for ZERO (values <= 0) in a packed bucket


def quantile_index(n: int, q: float) -> int:
    """Index of the q-quantile in n sorted values: floor(n * q), clamped (the plan's rule)."""
    if n <= 0:
        raise ValueError("no values")
    return min(n - 1, max(0, math.floor(n * q + 1e-9)))


def exact_quantile(values: Sequence[float], q: float) -> float | None:
    """sorted(values)[floor(n * q)], without sorting everything when q is near the top."""
    n = len(values)
    if n == 0:
        return None
    idx = quantile_index(n, q)
    k = n - idx
    if k <= 64:
        return heapq.nlargest(k, values)[-1]
    return sorted(values)[idx]
