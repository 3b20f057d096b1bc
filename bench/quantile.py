"""bench/quantile: the p99.9 sketch against exact sorting on 1,000,000 heavy-tailed samples.

    python -m bench.quantile [--samples 1000000] [--seeds 3] [--check]

For each seed, one route's worth of samples (a lognormal body with a Pareto tail, as
latencies are) goes into backends.quantile.QuantileSketch and, as the baseline measured in
the same run, into a list that is sorted for the exact p99.9 (the plan's rule,
sorted[floor(n * 0.999)]). Prints the relative error of the sketch's p99.9 (and p99, p50),
the memory each needs, and the time each took. ddsketch's own DDSketch is measured too,
for comparison. Memory is what tracemalloc sees retained by a copy of the filled sketch
(and by the list of samples for the baseline).

Targets (issue 5): p99.9 relative error < 1 %, memory < 64 KiB per route. The sliding
60 s window of the local backend (sketch + per-second key counts) is measured as well,
at the simulator's sample rate (held to the same memory target) and at a stress rate
(reported only: it grows with the distinct keys a second spans).
With --check it exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from ddsketch import DDSketch

from backends.local.sim import SAMPLES_PER_S
from backends.local.sim.window import SketchWindow
from backends.quantile import DEFAULT_ALPHA, QuantileSketch

TARGET_ERR = 0.01
TARGET_BYTES = 64 * 1024
QS = (0.5, 0.99, 0.999)


def heavy_tailed(seed: int, n: int) -> list[float]:
    """Milliseconds: lognormal body (median ~55 ms), 1 % Pareto(1.2) tail from 150 ms."""
    rng = random.Random(seed)
    lognorm, pareto, rnd = rng.lognormvariate, rng.paretovariate, rng.random
    return [150.0 * pareto(1.2) if rnd() < 0.01 else lognorm(4.0, 0.5) for _ in range(n)]


def retained(build: Callable[[], Any]) -> tuple[Any, int]:
    """Bytes still allocated after `build()` returns (its result kept alive)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    obj = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return obj, after - before


def one_seed(seed: int, n: int) -> dict[str, float]:
    values = heavy_tailed(seed, n)
    out: dict[str, float] = {}

    t = time.perf_counter()
    s = sorted(values)
    out["exact_s"] = time.perf_counter() - t
    exact = {q: s[min(n - 1, math.floor(n * q + 1e-9))] for q in QS}
    out["exact_bytes"] = float(sys.getsizeof(values) + n * sys.getsizeof(1.0))

    t = time.perf_counter()
    sk = QuantileSketch(DEFAULT_ALPHA)
    add = sk.add
    for v in values:
        add(v)
    out["sketch_s"] = time.perf_counter() - t
    for q in QS:
        got = sk.quantile(q)
        assert got is not None
        out[f"sketch_err_{q}"] = abs(got - exact[q]) / exact[q]

    def copy() -> QuantileSketch:
        c = QuantileSketch(DEFAULT_ALPHA)
        c.merge(sk)
        return c

    _, out["sketch_bytes"] = retained(copy)

    t = time.perf_counter()
    dd = DDSketch(DEFAULT_ALPHA)
    for v in values:
        dd.add(v)
    out["dd_s"] = time.perf_counter() - t
    got = dd.get_quantile_value(0.999)
    assert got is not None  # DDSketch answers None only when empty
    out["dd_err_0.999"] = abs(got - exact[0.999]) / exact[0.999]

    def dd_copy() -> DDSketch:
        c = DDSketch(DEFAULT_ALPHA)
        c.merge(dd)
        return c

    _, out["dd_bytes"] = retained(dd_copy)

    # the local backend's 60 s window: 60 one-second buckets, fed at the simulator's rate
    # (SAMPLES_PER_S a second) and at a stress rate (the samples spread over 600 s)
    for label, per_bucket in (("sim", int(SAMPLES_PER_S)), ("stress", max(1, n // 600))):
        feed = values[-per_bucket * 600 :]

        def window(feed: list[float] = feed, per_bucket: int = per_bucket) -> SketchWindow:
            w = SketchWindow(60)
            for i, v in enumerate(feed):
                if i % per_bucket == 0:
                    w.rotate_to(i // per_bucket)
                w.add(v)
            return w

        w, out[f"window_{label}_bytes"] = retained(window)
        ls = sorted(feed[-len(w) :])
        want = ls[min(len(ls) - 1, math.floor(len(ls) * 0.999))]
        got_w = w.quantile(0.999)
        assert got_w is not None
        out[f"window_{label}_err"] = abs(got_w - want) / want
        out[f"window_{label}_n"] = float(len(w))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=1_000_000)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    runs = [one_seed(seed, args.samples) for seed in range(args.seeds)]

    def worst(key: str) -> float:
        return max(r[key] for r in runs)

    n = args.samples
    print(f"quantile sketch vs exact sort ({n:,} heavy-tailed samples, {args.seeds} seeds)")
    print(f"  sketch: QuantileSketch alpha={DEFAULT_ALPHA} (ddsketch LogarithmicMapping)")
    for q in QS:
        print(f"  relative error p{q * 100:g}: worst {worst(f'sketch_err_{q}') * 100:.3f} %")
    err = worst("sketch_err_0.999")
    mem = worst("sketch_bytes")
    wmem = worst("window_sim_bytes")
    exact_bytes = worst("exact_bytes")
    print(
        f"  memory: sketch {mem / 1024:.1f} KiB, exact (all samples) {exact_bytes / 1024:,.0f} KiB"
        f"  -> ratio {mem / exact_bytes:.5f}x"
    )
    for label in ("sim", "stress"):
        print(
            f"  local 60 s window at the {label} rate ({worst(f'window_{label}_n'):,.0f} samples"
            f" in it): {worst(f'window_{label}_bytes') / 1024:.1f} KiB, p99.9 error "
            f"{worst(f'window_{label}_err') * 100:.3f} %"
        )
    print(
        f"  time: sketch adds {worst('sketch_s') * 1e9 / n:.0f} ns/sample, "
        f"exact sort {worst('exact_s') * 1e9 / n:.0f} ns/sample"
    )
    print(
        f"  for comparison ddsketch.DDSketch: p99.9 error {worst('dd_err_0.999') * 100:.3f} %, "
        f"{worst('dd_bytes') / 1024:.1f} KiB, {worst('dd_s') * 1e9 / n:.0f} ns/sample"
    )
    ok_err = err < TARGET_ERR
    ok_mem = max(mem, wmem) < TARGET_BYTES
    print(
        f"  p99.9 error {err * 100:.3f} % (target < {TARGET_ERR * 100:g} %)  "
        f"{'ok' if ok_err else 'MISSED'}"
    )
    print(
        f"  memory per route {max(mem, wmem) / 1024:.1f} KiB: sketch, and the local window at"
        f" the simulator's rate (target < {TARGET_BYTES // 1024} KiB)"
        f"  {'ok' if ok_mem else 'MISSED'}"
    )
    return 1 if (args.check and not (ok_err and ok_mem)) else 0


if __name__ == "__main__":
    sys.exit(main())
