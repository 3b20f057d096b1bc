"""The simulator's sliding windows (backends.local.sim.window): counters and samples
checked against a brute-force recount."""

from __future__ import annotations

import random

from backends.local.sim.window import CounterWindow, SampleWindow, exact_quantile


def test_counter_window_matches_brute_force() -> None:
    rng = random.Random(1)
    w = CounterWindow(3, 10)
    events: list[tuple[int, int, bool]] = []
    bucket = 0
    for _ in range(3000):
        if rng.random() < 0.1:
            bucket += rng.choice((1, 1, 1, 2, 15))
            w.rotate_to(bucket)
        key, hit = rng.randrange(3), rng.random() < 0.3
        w.cur_total[key] += 1
        w.cur_hits[key] += hit
        events.append((bucket, key, hit))
        if rng.random() < 0.05:
            inside = [e for e in events if e[0] > bucket - 10]
            assert w.totals() == [sum(1 for e in inside if e[1] == k) for k in range(3)]
            assert w.hits() == [sum(1 for e in inside if e[1] == k and e[2]) for k in range(3)]
            tot, hit_ = w.last_closed(5)
            last5 = [e for e in events if bucket - 5 <= e[0] < bucket]
            assert tot == [sum(1 for e in last5 if e[1] == k) for k in range(3)]
            assert hit_ == [sum(1 for e in last5 if e[1] == k and e[2]) for k in range(3)]


def test_sample_window_and_quantile_match_brute_force() -> None:
    rng = random.Random(2)
    w = SampleWindow(6)
    events: list[tuple[int, float]] = []
    bucket = 0
    for _ in range(2000):
        if rng.random() < 0.05:
            bucket += rng.choice((1, 1, 3, 9))
            w.rotate_to(bucket)
        x = rng.lognormvariate(3, 1)
        w.cur.append(x)
        events.append((bucket, x))
    inside = sorted(x for b, x in events if b > bucket - 6)
    assert sorted(w.values()) == inside
    assert len(w) == len(inside)
    for q in (0.5, 0.99, 0.999):
        assert exact_quantile(w.values(), q) == inside[min(len(inside) - 1, int(len(inside) * q))]
    assert exact_quantile([], 0.999) is None
