"""bench/replay: policy dry-run speed, replayed decisions per second through a candidate,
against a naive loop that re-plans one `query` per decision, in the same run.

    python -m bench.replay [--decisions 3000] [--rounds 3] [--check]

The decisions are the local simulator's (every attribute mix it produces), the candidate
is policy/abac.rego. Both cases give the same outcomes (checked); medians reported.
Target (issue 4): the dry-run at least 3x the naive loop.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

TARGET = 3.0


def main() -> int:
    from backends.local.sim import Simulator
    from backends.replay import DEFAULT_CANDIDATE, naive_replay, replay

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--decisions", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = ap.parse_args()
    t0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
    sim = Simulator(seed=35, start=t0)
    sim.advance_to(t0 + timedelta(seconds=args.decisions / 40 + 5))
    decisions = sim.decisions.recent_decisions(args.decisions)
    files = [DEFAULT_CANDIDATE]
    fast: list[float] = []
    slow: list[float] = []
    for r in range(args.rounds):
        start = time.perf_counter()
        report = replay(decisions, files)
        fast.append(len(decisions) / (time.perf_counter() - start))
        start = time.perf_counter()
        naive = naive_replay(decisions, files)
        slow.append(len(decisions) / (time.perf_counter() - start))
        flips = sum(1 for d, after in zip(decisions, naive, strict=True) if after != d.allowed)
        if flips != report.allow_to_deny + report.deny_to_allow or report.errors:
            print("the two loops disagree", file=sys.stderr)
            return 2
        print(f"  round {r + 1}: dry-run {fast[-1]:8,.0f}/s  naive {slow[-1]:8,.0f}/s")
    f, s = statistics.median(fast), statistics.median(slow)
    ratio = f / s
    print(f"replay: {len(decisions):,} decisions through {DEFAULT_CANDIDATE.name}, medians")
    print(f"  dry-run (build once, query_bundle_entrypoint): {f:9,.0f} decisions/s")
    print(f"  naive (one re-planned query per decision):     {s:9,.0f} decisions/s")
    print(f"  ratio {ratio:.2f}x  (target >= {TARGET}x)  {'ok' if ratio >= TARGET else 'MISSED'}")
    return 1 if (args.check and ratio < TARGET) else 0


if __name__ == "__main__":
    sys.exit(main())
