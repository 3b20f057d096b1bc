"""The quantile sketch (backends.quantile) and the sliding window built on it, against
brute force: sort the very same values and compare."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from ddsketch.mapping import LogarithmicMapping

from backends.local.sim.window import SketchWindow
from backends.quantile import DEFAULT_ALPHA, Key, QuantileSketch

QS = (0.0, 0.5, 0.9, 0.99, 0.999, 1.0)


def exact(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, math.floor(len(s) * q + 1e-9))]


def heavy_tailed(rng: random.Random, n: int) -> list[float]:
    return [
        rng.paretovariate(1.3) * 200 if rng.random() < 0.02 else rng.lognormvariate(4, 0.6)
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", range(5))
def test_every_quantile_within_alpha_of_the_exact_one(seed: int) -> None:
    rng = random.Random(seed)
    values = heavy_tailed(rng, 20_000) + [0.0] * rng.randrange(3)
    sk = QuantileSketch()
    for v in values:
        sk.add(v)
    assert sk.count == len(values)
    for q in QS:
        want = exact(values, q)
        got = sk.quantile(q)
        assert got is not None
        assert abs(got - want) <= DEFAULT_ALPHA * want + 1e-12, (q, got, want)
        bounds = sk.quantile_bounds(q)
        assert bounds is not None
        lo, hi = bounds
        assert want == 0.0 or lo < want <= hi * (1 + 1e-12)


def test_keys_are_ddsketchs_own() -> None:
    m = LogarithmicMapping(DEFAULT_ALPHA)
    sk = QuantileSketch()
    rng = random.Random(7)
    for _ in range(2000):
        v = rng.lognormvariate(0, 5)
        assert sk.key(v) == m.key(v)


def test_remove_undoes_add() -> None:
    rng = random.Random(3)
    keep = heavy_tailed(rng, 3000)
    drop = heavy_tailed(rng, 3000)
    sk = QuantileSketch()
    keys = [sk.add(v) for v in drop]
    for v in keep:
        sk.add(v)
    for k in keys:
        sk.remove_key(k)
    assert sk.count == len(keep)
    ref = QuantileSketch()
    for v in keep:
        ref.add(v)
    assert [sk.quantile(q) for q in QS] == [ref.quantile(q) for q in QS]
    with pytest.raises(ValueError):
        QuantileSketch().remove_key(5)


def test_merge_equals_one_sketch_of_everything() -> None:
    rng = random.Random(4)
    a_vals, b_vals = heavy_tailed(rng, 2000), [v * 10 for v in heavy_tailed(rng, 2000)]
    a, b, both = QuantileSketch(), QuantileSketch(), QuantileSketch()
    for v in a_vals:
        a.add(v)
        both.add(v)
    for v in b_vals:
        b.add(v)
        both.add(v)
    a.merge(b)
    assert [a.quantile(q) for q in QS] == [both.quantile(q) for q in QS]
    with pytest.raises(ValueError):
        a.merge(QuantileSketch(alpha=0.01))


def test_memory_is_capped_and_the_top_keeps_its_guarantee() -> None:
    sk = QuantileSketch(bin_limit=256)
    values = [10.0 ** (i / 1000) for i in range(-9000, 9000, 3)]  # spans 18 decades
    for v in values:
        sk.add(v)
    assert len(sk._bins) <= 256 and sk.nbytes() < 4096
    for q in (0.999, 1.0):
        want, got = exact(values, q), sk.quantile(q)
        assert got is not None and abs(got - want) <= DEFAULT_ALPHA * want


def test_empty_sketch_answers_none() -> None:
    sk = QuantileSketch()
    assert sk.quantile(0.999) is None and sk.quantile_bounds(0.5) is None and len(sk) == 0
    with pytest.raises(ValueError):
        QuantileSketch(alpha=0)


def test_sketch_window_matches_brute_force() -> None:
    rng = random.Random(2)
    w = SketchWindow(6)
    events: list[tuple[int, float]] = []
    bucket = 0
    for i in range(6000):
        if rng.random() < 0.05:
            bucket += rng.choice((1, 1, 3, 9))
            w.rotate_to(bucket)
        x = rng.lognormvariate(3, 1)
        w.add(x)
        events.append((bucket, x))
        if i % 500 == 499:
            inside = [x for b, x in events if b > bucket - 6]
            assert len(w) == len(inside)
            for q in (0.5, 0.99, 0.999):
                got, want = w.quantile(q), exact(inside, q)
                assert got is not None and abs(got - want) <= DEFAULT_ALPHA * want
    w.reset(bucket + 100)
    assert len(w) == 0 and w.quantile(0.999) is None


def state(sk: QuantileSketch) -> tuple[object, ...]:
    return list(sk._bins), sk._offset, sk._floor, sk._zero


@pytest.mark.parametrize(("bin_limit", "decades"), [(2048, 2), (64, 6)])
def test_bulk_add_and_remove_leave_what_one_at_a_time_leaves(bin_limit: int, decades: int) -> None:
    """add_many / remove_counts (the simulator's hot path) against add / remove_key in turn:
    growing, collapsing (64 bins), zeros, and errors raised at the same value."""
    rng = random.Random(bin_limit)
    bulk, one = QuantileSketch(bin_limit=bin_limit), QuantileSketch(bin_limit=bin_limit)
    bulk_tally: Counter[Key] = Counter()
    one_tally: Counter[Key] = Counter()
    for i in range(400):
        batch = heavy_tailed(rng, rng.randrange(40)) + [0.0] * (i % 7 == 0)
        if i % 50 == 49:
            batch = [v * 10.0 ** rng.randint(-decades, decades) for v in batch]
        bulk.add_many(batch, bulk_tally)
        for v in batch:
            one_tally[one.add(v)] += 1
        assert state(bulk) == state(one) and bulk_tally == one_tally
        if i % 3 == 0:
            pairs = [(k, rng.randint(1, c)) for k, c in one_tally.items() if k is not None and c]
            pairs = rng.sample(pairs, len(pairs) // 2)
            bulk.remove_counts([k for k, _ in pairs], [c for _, c in pairs])
            for k, c in pairs:
                one.remove_key(k, c)
                one_tally[k] -= c
            bulk_tally = Counter(one_tally)
            assert state(bulk) == state(one)
    assert (bulk._floor is None) == (bin_limit == 2048)
    for bad, error in ((math.inf, OverflowError), (math.nan, ValueError)):
        with pytest.raises(error):
            bulk.add_many([5.0, bad, 7.0], bulk_tally)
        with pytest.raises(error):
            for v in [5.0, bad, 7.0]:
                one_tally[one.add(v)] += 1
        assert state(bulk) == state(one) and bulk_tally == one_tally
    with pytest.raises(ValueError):  # more than the top bin holds
        bulk.remove_counts([bulk._offset + len(bulk._bins) - 1], [bulk._bins[-1] + 1])


def test_sketch_window_add_many_reads_as_add() -> None:
    """add_many only queues: every read, and every bucket closed, sees what add() gives."""
    rng = random.Random(5)
    lazy, eager = SketchWindow(6), SketchWindow(6)
    bucket = 0
    for i in range(3000):
        if rng.random() < 0.1:
            bucket += rng.choice((1, 1, 2, 9))
            lazy.rotate_to(bucket)
            eager.rotate_to(bucket)
        batch = heavy_tailed(rng, rng.randrange(1, 8)) + [0.0] * (i % 13 == 0)
        lazy.add_many(batch)
        for v in batch:
            eager.add(v)
        if i % 17 == 0:
            for w in (lazy, eager):
                w.add(float(i))
            assert len(lazy) == len(eager) and lazy.cur == eager.cur
            assert lazy.quantile_bounds(0.999) == eager.quantile_bounds(0.999)
            assert state(lazy.sketch) == state(eager.sketch)
    lazy.reset(bucket + 100)
    assert len(lazy) == 0 and not lazy.cur
