"""bench/github_poll: what one poll of the `github` release source costs, against the
local GitHub server of the tests (127.0.0.1), with a baseline measured in the same run:
one plain httpx GET of the same runs page, without ETags.

    python -m bench.github_poll [--polls 30] [--check]

Prints the cold poll (every GET answered 200) and the steady poll (nothing changed: every
GET answered 304), as requests sent, rate-limit units spent and wall time, and the steady
poll's time over (requests x the plain GET). Targets: a steady poll spends 0 rate-limit
units, and costs <= 2.0x the plain GETs it sends (mapping and models included).
With --check it exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from backends.clock import SystemClock
from backends.github.options import GitHubOptions
from backends.github.source import GitHubRelease
from backends.registry import BackendContext
from tests.fake_github import FakeGitHub, serve
from tests.github_payloads import OWNER, REPO, TRAIN, scenario

TARGET_STEADY_UNITS = 0
TARGET_RATIO = 2.0
TOKEN = "bench-token"


async def plain_get(base_url: str, n: int) -> float:
    """Median seconds for one GET of the runs page, no conditional request."""
    import httpx

    url = f"{base_url}/repos/{OWNER}/{REPO}/actions/workflows/{TRAIN}/runs?per_page=10"
    times = []
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        for _ in range(n):
            t = time.perf_counter()
            resp = await client.get(url)
            resp.json()
            times.append(time.perf_counter() - t)
    return statistics.median(times)


async def run(polls: int) -> int:
    fake = FakeGitHub(token=TOKEN, data=scenario(datetime.now(UTC)))
    with serve(fake), tempfile.TemporaryDirectory() as tmp:
        base = await plain_get(fake.base_url, polls)
        opts = GitHubOptions(base_url=fake.base_url, owner=OWNER, repo=REPO, token=SecretStr(TOKEN))
        src = GitHubRelease(opts, BackendContext(data_dir=Path(tmp), clock=SystemClock()))
        units0, sent0 = fake.remaining, len(fake.seen)
        t = time.perf_counter()
        await src.snapshot()
        cold_s = time.perf_counter() - t
        cold_units, cold_sent = units0 - fake.remaining, len(fake.seen) - sent0
        steady: list[float] = []
        units1, sent1 = fake.remaining, len(fake.seen)
        for _ in range(polls):
            t = time.perf_counter()
            snap = await src.snapshot()
            steady.append(time.perf_counter() - t)
        await src.aclose()
        steady_units = units1 - fake.remaining
        per_poll = (len(fake.seen) - sent1) / polls
        steady_s = statistics.median(steady)
        ratio = steady_s / (per_poll * base)
        ok_units = steady_units <= TARGET_STEADY_UNITS
        ok_ratio = ratio <= TARGET_RATIO
        print(f"github poll ({polls} steady polls, medians, local server)")
        print(f"  baseline: one plain GET of the runs page   {base * 1000:7.2f} ms")
        print(
            f"  cold poll:   {cold_sent:3d} requests  {cold_units:3d} rate-limit units"
            f"  {cold_s * 1000:7.2f} ms"
        )
        print(
            f"  steady poll: {per_poll:5.1f} requests  {steady_units:3d} rate-limit units"
            f" in {polls} polls  {steady_s * 1000:7.2f} ms  (all 304: {snap.health.state})"
        )
        print(
            f"  steady units {steady_units}  (target {TARGET_STEADY_UNITS})  "
            f"{'ok' if ok_units else 'MISSED'}"
        )
        print(
            f"  steady ratio {ratio:.2f}x of the plain GETs  (target <= {TARGET_RATIO}x)  "
            f"{'ok' if ok_ratio else 'MISSED'}"
        )
        return 0 if ok_units and ok_ratio else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polls", type=int, default=30)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    missed = asyncio.run(run(max(1, min(args.polls, 1000))))
    return missed if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
