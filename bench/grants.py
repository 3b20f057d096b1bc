"""bench/grants: the break-glass grants pane with 10,000 active grants versus 10.

    python -m bench.grants [--tick-seconds 10] [--runs 1] [--check]

Each case runs in a fresh headless process (160x50): the pane is mounted with the
grants (time from mount to the first refresh with data), then the app ticks `now` once
a second, as the dashboard does, for `--tick-seconds`; the CPU seconds the process
spends over that window are measured. For reference it also mounts a stock DataTable
with the same rows. Targets (issue 3): the 10,000 case costs at most 1.2x the 10 case
in tick CPU, and mounts in under 0.2 s. With --check it exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SIZE = (160, 50)
TARGET_CPU_RATIO = 1.2
TARGET_MOUNT_S = 0.2

CHILD = """
import json, sys, time
from datetime import timedelta
from textual.app import App
from textual.widgets import DataTable
from backends.clock import utc_now
from backends.models import Grant, GrantsSnapshot, HealthState, SourceHealth
from tui.panes.grants import GrantsPane, countdown

N, TICK_S, MODE = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
ROLES = ("sre-oncall", "db-reader", "prod-deployer", "cluster-admin")
now = utc_now()
grants = tuple(
    Grant(id=f"{{i:012x}}", subject=f"user{{i}}@example.com", role=ROLES[i % 4],
          reason=f"INC-{{4000 + i}}: bench grant", granted_by="bench", granted_at=now,
          expires_at=now + timedelta(seconds=600 + i * 1.3))
    for i in range(N)
)
snap = GrantsSnapshot(observed_at=now, source="bench", grants=grants,
                      health=SourceHealth(state=HealthState.OK, last_ok_at=now))


class Bench(App[None]):
    CSS_PATH = {css!r}

    def on_mount(self) -> None:
        # the app itself first (screen, CSS, first paint); then time the pane alone
        self.call_after_refresh(self.start)

    async def start(self) -> None:
        t0 = time.perf_counter()
        if MODE == "datatable":
            table = DataTable()
            await self.mount(table)
            table.add_columns("id", "subject", "role", "expires in", "by", "reason")
            table.add_rows((g.id, g.subject, g.role, countdown(g, now), g.granted_by, g.reason)
                           for g in grants)
            self.call_after_refresh(self.mounted, t0, False)
            return
        self.pane = GrantsPane(classes="pane")
        await self.mount(self.pane)
        self.pane.now = utc_now()
        self.pane.snapshot = snap
        self.call_after_refresh(self.mounted, t0, True)

    def mounted(self, t0: float, tick: bool) -> None:
        self.mount_s = time.perf_counter() - t0
        if not tick:
            return self.finish(0.0)
        self.cpu0 = time.process_time()
        self.set_interval(1.0, self.tick)
        self.set_timer(TICK_S, lambda: self.finish(time.process_time() - self.cpu0))

    def tick(self) -> None:
        self.pane.now = utc_now()

    def finish(self, cpu: float) -> None:
        print(json.dumps({{"mount_s": self.mount_s, "tick_cpu_s": cpu}}), flush=True)
        self.exit()


Bench().run(headless=True, size={size})
"""


def run_child(n: int, tick_s: float, mode: str, env: dict[str, str]) -> dict[str, float]:
    css = str(Path(__file__).resolve().parent.parent / "tui" / "watchfloor.tcss")
    code = CHILD.format(css=css, size=SIZE)
    out = subprocess.run(
        [sys.executable, "-c", code, str(n), str(tick_s), mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=tick_s + 120,
    )
    if out.returncode != 0:
        raise RuntimeError(f"child failed ({n}, {mode}): {out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tick-seconds", type=float, default=10.0)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(root), "WATCHFLOOR_DATA_DIR": tmp}
        env.pop("TEXTUAL", None)
        run_child(10, 0.5, "pane", env)  # warm the page cache
        small: list[dict[str, float]] = []
        large: list[dict[str, float]] = []
        for _ in range(args.runs):  # interleaved, so drift hits both cases alike
            small.append(run_child(10, args.tick_seconds, "pane", env))
            large.append(run_child(10_000, args.tick_seconds, "pane", env))
        table = run_child(10_000, 0.0, "datatable", env)

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    m10, m10k = med(small, "mount_s"), med(large, "mount_s")
    c10, c10k = med(small, "tick_cpu_s"), med(large, "tick_cpu_s")
    ratio = c10k / c10 if c10 > 0 else float("inf")
    print(f"grants pane ({args.runs} run(s), medians, headless {SIZE[0]}x{SIZE[1]})")
    print(f"  mount, 10 grants:       {m10 * 1000:7.0f} ms")
    print(
        f"  mount, 10,000 grants:   {m10k * 1000:7.0f} ms  "
        f"(target < {TARGET_MOUNT_S * 1000:.0f} ms)  {'ok' if m10k < TARGET_MOUNT_S else 'MISSED'}"
    )
    print(f"  stock DataTable, 10,000 rows, for reference: {table['mount_s'] * 1000:7.0f} ms")
    each = ", ".join(
        f"{a['tick_cpu_s']:.3f}/{b['tick_cpu_s']:.3f}" for a, b in zip(small, large, strict=True)
    )
    print(f"  tick CPU per run (10 / 10,000): {each}")
    print(f"  tick CPU over {args.tick_seconds:.0f} s, 10 grants:     {c10:6.3f} s")
    print(f"  tick CPU over {args.tick_seconds:.0f} s, 10,000 grants: {c10k:6.3f} s")
    print(
        f"  tick CPU ratio {ratio:.2f}x  (target <= {TARGET_CPU_RATIO}x)  "
        f"{'ok' if ratio <= TARGET_CPU_RATIO else 'MISSED'}"
    )
    missed = m10k >= TARGET_MOUNT_S or ratio > TARGET_CPU_RATIO
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
