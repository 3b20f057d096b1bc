"""bench/startup: process start -> first complete paint of all five panes, and peak RSS,
against an empty Textual app with a Header and Footer measured in the same run.

    python -m bench.startup [--runs 7] [--check]

Runs the cases interleaved, headless at 160x50, each in a fresh process, and prints the
medians and the ratios. Targets (issue 2): time <= 1.5x, memory <= 2.5x the empty app.
With --check it exits 1 when a target is missed.

A third case, for context, is the same empty app that first imports ``backends.models``
and builds the validators of the snapshots every pane renders (pydantic, which the design
puts on every start; the models defer that build to the first snapshot, which comes
before the first paint). It shows how much of the time budget that alone takes here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = (160, 50)
TARGET_TIME = 1.5
TARGET_RSS = 2.5

CHILD_EMPTY = """
from textual.app import App
from textual.widgets import Footer, Header

class Empty(App[None]):
    def compose(self):
        yield Header()
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.done)

    def done(self):
        print("PAINTED", flush=True)
        self.exit()

Empty().run(headless=True, size={size})
"""

CHILD_MODELS = (
    "import backends.models as m\n"
    "for snapshot in (m.AccessSnapshot, m.GrantsSnapshot, m.ReleaseSnapshot,"
    " m.LatencySnapshot, m.FaultsSnapshot, m.Alert):\n"
    "    snapshot.model_rebuild()  # builds its validator (defer_build)\n"
) + CHILD_EMPTY

CHILD_WATCHFLOOR = """
from tui.entry import hold_collector

hold_collector()  # what the `watchfloor` script does first
from backends.config import load
from backends.wiring import build_sources
from tui.app import WatchfloorApp

class Timed(WatchfloorApp):
    def on_mount(self):  # Textual calls WatchfloorApp.on_mount too (handlers run per class)
        self._poll = self.set_interval(0.005, self.check)

    def check(self):
        if self.all_panes_filled():
            self._poll.stop()
            self.call_after_refresh(self.done)

    def done(self):
        print("PAINTED", flush=True)
        self.exit()

Timed(build_sources(load())).run(headless=True, size={size})
"""


def run_child(code: str, env: dict[str, str]) -> tuple[float, float]:
    """(seconds from spawn to the child's first complete paint, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    painted = time.perf_counter() - start
    if line.strip() != "PAINTED":
        raise RuntimeError(f"child did not paint: {line!r}")
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"child exited with status {status}")
    return painted, usage.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "WATCHFLOOR_DATA_DIR": tmp,
            "PYTHONPATH": str(root),
            "XDG_CONFIG_HOME": str(Path(tmp) / "xdg"),
        }
        env.pop("TEXTUAL", None)
        cases = {
            "empty": CHILD_EMPTY.format(size=SIZE),
            "models": CHILD_MODELS.format(size=SIZE),
            "watchfloor": CHILD_WATCHFLOOR.format(size=SIZE),
        }
        for code in cases.values():  # warm the page cache and the store once
            run_child(code, env)
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
        for _ in range(args.runs):
            for name, code in cases.items():
                results[name].append(run_child(code, env))
    med = {
        k: (statistics.median(t for t, _ in v), statistics.median(m for _, m in v))
        for k, v in results.items()
    }
    (et, em), (wt, wm), mt = med["empty"], med["watchfloor"], med["models"][0]
    rt, rm = wt / et, wm / em
    print(f"startup ({args.runs} runs each, medians, headless {SIZE[0]}x{SIZE[1]})")
    print(f"  empty Textual app (Header+Footer): {et * 1000:7.0f} ms  {em:6.1f} MiB")
    print(f"  watchfloor, all five panes filled: {wt * 1000:7.0f} ms  {wm:6.1f} MiB")
    print(
        f"  for context, the empty app with backends.models and its snapshot validators: "
        f"{mt * 1000:.0f} ms, {mt / et:.2f}x; watchfloor is {wt / mt:.2f}x of that"
    )
    print(
        f"  time ratio   {rt:.2f}x  (target <= {TARGET_TIME}x)  "
        f"{'ok' if rt <= TARGET_TIME else 'MISSED'}"
    )
    print(
        f"  memory ratio {rm:.2f}x  (target <= {TARGET_RSS}x)  "
        f"{'ok' if rm <= TARGET_RSS else 'MISSED'}"
    )
    missed = rt > TARGET_TIME or rm > TARGET_RSS
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
