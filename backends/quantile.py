"""A quantile sketch with bounded relative error, for p99.9 without keeping every sample.

It is DDSketch (Masson, Rim, Lee, VLDB 2019): values fall into logarithmic buckets
(gamma^(k-1), gamma^k] with gamma = (1 + alpha) / (1 - alpha), and a quantile is answered
with the bucket's representative value, which is within relative error ``alpha`` of the
exact order statistic of the same rank. The key mapping is ddsketch's own
``LogarithmicMapping`` (the part with the guarantee); the store is ours, because we need
three things ddsketch's ``DenseStore`` does not give:

- *removal*: a sliding window is one sketch from which expiring buckets' counts are taken
  out again, instead of sixty per-second sketches merged on every read;
- the plan's rank rule, ``sorted(values)[floor(n * q)]`` (ddsketch uses ``q * (n - 1)``),
  so "exact p99.9" and "sketch p99.9" name the same order statistic;
- integer counts in one ``array('q')`` (8 bytes a bucket), collapsing the *lowest*
  buckets beyond ``bin_limit``, so the top quantiles keep their guarantee and memory has
  a hard ceiling (2,048 buckets: 16 KiB), whatever the input.

Pure logic, no I/O.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections import Counter
from collections.abc import Sequence
from functools import cache

from ddsketch.mapping import LogarithmicMapping

DEFAULT_ALPHA = 0.005  # 0.5 % relative error
DEFAULT_BIN_LIMIT = 2048

ZERO = None  # the key of values <= 0 (latencies of exactly zero)
Key = int | None


def _zeros(n: int) -> array[int]:
    return array("q", bytes(8 * n))


@cache
def _mapping(alpha: float) -> LogarithmicMapping:
    return LogarithmicMapping(alpha)


class QuantileSketch:
    __slots__ = ("_bins", "_floor", "_gamma", "_mult", "_offset", "_zero", "alpha", "bin_limit")

    def __init__(self, alpha: float = DEFAULT_ALPHA, bin_limit: int = DEFAULT_BIN_LIMIT) -> None:
        if not 0 < alpha < 1:
            raise ValueError("alpha must be in (0, 1)")
        if bin_limit < 2:
            raise ValueError("bin_limit must be at least 2")
        m = _mapping(alpha)
        self.alpha = alpha
        self.bin_limit = bin_limit
        self._gamma: float = m.gamma
        self._mult: float = m._multiplier  # key = ceil(log2(v) * _mult), as ddsketch does
        self._bins = array("q")
        self._offset = 0  # the key of _bins[0]
        self._floor: int | None = None  # keys below this were collapsed into it
        self._zero = 0

    # --- keys -----------------------------------------------------------------------------

    def key(self, value: float) -> Key:
        """The bucket of `value`: (gamma^(k-1), gamma^k]; ZERO for value <= 0."""
        if value <= 0:
            return ZERO
        return math.ceil(math.log2(value) * self._mult)

    def value(self, key: Key) -> float:
        """The bucket's representative: within alpha of anything in the bucket."""
        if key is None:
            return 0.0
        return float(_mapping(self.alpha).value(key))

    def bounds(self, key: Key) -> tuple[float, float]:
        """Where a value with this key really lies: (gamma^(k-1), gamma^k]."""
        if key is None:
            return 0.0, 0.0
        return 2.0 ** ((key - 1) / self._mult), 2.0 ** (key / self._mult)

    # --- counts -----------------------------------------------------------------------------

    @property
    def count(self) -> int:
        return self._zero + sum(self._bins)

    def __len__(self) -> int:
        return self.count

    def add(self, value: float, n: int = 1) -> Key:
        """Count `value` n times; returns its key (keep it to remove the value later)."""
        k = self.key(value)
        self.add_key(k, n)
        return k

    def add_many(self, values: Sequence[float], tally: Counter[Key]) -> None:
        """add(v) for each value in turn, counting each returned key in ``tally``.

        In bulk (the simulator's hot path) but with the same keys and bins as one add() at
        a time: the keys come from C-level map()s, the bins grow once to cover them all,
        then one plain loop counts them. Anything that is not that simple (values <= 0,
        NaN or inf, collapsing) goes the one-at-a-time way."""
        if not values or not (min(values) > 0 and math.isfinite(sum(values))):
            for v in values:
                tally[self.add(v)] += 1
            return
        # ceil(log2(v) * mult), as key() computes it (float multiplication commutes)
        keys = list(map(math.ceil, map(self._mult.__mul__, map(math.log2, values))))
        tally.update(keys)
        lo, hi = min(keys), max(keys)
        bins, offset = self._bins, self._offset
        if not bins or lo < offset or hi >= offset + len(bins):
            if bins:
                lo, hi = min(lo, offset), max(hi, offset + len(bins) - 1)
            if self._floor is not None or hi - lo + 1 > self.bin_limit:
                for k in keys:  # clamping or collapsing: exactly as add() does it
                    self.add_key(k)
                return
            self._grow(lo, hi)  # what growing key by key ends with, as no collapse happens
            bins, offset = self._bins, self._offset
        for k in keys:
            bins[k - offset] += 1

    def add_key(self, key: Key, n: int = 1) -> None:
        if key is None:
            self._zero += n
            return
        if self._floor is not None and key < self._floor:
            key = self._floor
        idx = key - self._offset
        if not self._bins or idx < 0 or idx >= len(self._bins):
            self._grow(key, key)
            idx = max(key, self._offset) - self._offset
        self._bins[idx] += n

    def remove_key(self, key: Key, n: int = 1) -> None:
        """Take out n values added earlier with this key (sliding windows)."""
        if key is None:
            if self._zero < n:
                raise ValueError("removing more zero values than were added")
            self._zero -= n
            return
        if self._floor is not None and key < self._floor:
            key = self._floor
        idx = key - self._offset
        if not 0 <= idx < len(self._bins) or self._bins[idx] < n:
            raise ValueError(f"key {key} was not added {n} times")
        self._bins[idx] -= n

    def remove_counts(self, keys: Sequence[int], counts: Sequence[int]) -> None:
        """remove_key(k, c) for each pair in turn (no ZERO keys), with one plain loop when
        every key lies inside the bins (then none is below the floor)."""
        bins, offset = self._bins, self._offset
        if not (keys and offset <= min(keys) and max(keys) < offset + len(bins)):
            for k, c in zip(keys, counts, strict=True):
                self.remove_key(k, c)
            return
        for k, c in zip(keys, counts, strict=True):
            if bins[k - offset] < c:
                raise ValueError(f"key {k} was not added {c} times")
            bins[k - offset] -= c

    def _grow(self, lo: int, hi: int) -> None:
        """Widen the bins to cover keys lo..hi as well."""
        bins = self._bins
        if bins:
            lo = min(self._offset, lo)
            hi = max(self._offset + len(bins) - 1, hi)
        if hi - lo + 1 <= self.bin_limit:  # no collapse: the old bins, zero-padded
            left = self._offset - lo if bins else 0
            self._bins = _zeros(left) + bins + _zeros(hi - lo + 1 - left - len(bins))
            self._offset = lo
            return
        lo = hi - self.bin_limit + 1  # collapse the lowest buckets into the new floor
        self._floor = lo
        new = _zeros(hi - lo + 1)
        for i, c in enumerate(bins):
            if c:
                new[max(self._offset + i, lo) - lo] += c
        self._bins = new
        self._offset = lo

    def merge(self, other: QuantileSketch) -> None:
        if other.alpha != self.alpha:
            raise ValueError("cannot merge sketches with different alpha")
        self._zero += other._zero
        for i, c in enumerate(other._bins):
            if c:
                self.add_key(other._offset + i, c)

    def clear(self) -> None:
        self._bins = array("q")
        self._offset = 0
        self._floor = None
        self._zero = 0

    # --- answers ----------------------------------------------------------------------------

    def quantile_key(self, q: float) -> Key:
        """The key of sorted(values)[floor(n * q)] (clamped), counted from the top."""
        n = self.count
        if n == 0:
            raise ValueError("empty sketch")
        idx = min(n - 1, max(0, math.floor(n * q + 1e-9)))
        from_top = n - idx  # the value we want is the from_top-th largest
        seen = 0
        bins = self._bins
        for i in range(len(bins) - 1, -1, -1):
            seen += bins[i]
            if seen >= from_top:
                return self._offset + i
        return ZERO

    def quantile(self, q: float) -> float | None:
        """Within relative error alpha of sorted(values)[floor(n * q)]; None when empty.

        Holds for every q whose bucket was not collapsed (collapsing starts from the lowest
        buckets and only when the values span more than gamma^bin_limit)."""
        if self.count == 0:
            return None
        return self.value(self.quantile_key(q))

    def quantile_bounds(self, q: float) -> tuple[float, float] | None:
        """The interval the exact quantile lies in (its bucket), or None when empty."""
        if self.count == 0:
            return None
        return self.bounds(self.quantile_key(q))

    def nbytes(self) -> int:
        """Memory held by this sketch (object and store; the mapping is shared per alpha)."""
        return sys.getsizeof(self) + sys.getsizeof(self._bins)
