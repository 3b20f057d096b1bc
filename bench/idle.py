"""bench/idle: CPU used by the running dashboard on the local default with no input, against
an empty Textual app (Header + Footer) over the same span in the same run.

    python -m bench.idle [--seconds 30] [--check]

Each case runs headless at 160x50 in a fresh process. Once the app is up (for Watchfloor:
every pane has data) it is left to settle for --settle seconds (2 by default; the tail of
start-up, such as the footer built once the bindings are known, is bench/startup's), then
CPU time (all threads) is counted for --seconds. Both apps get the same settle; with
--settle 0 the count starts at the first complete paint.
Target (issue 8): the dashboard at most 2% of one core.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_PCT = 2.0

CHILD = """
import sys, time
SECONDS = {seconds}
SETTLE = {settle}
{app_code}

def start_measuring(app):
    if SETTLE:
        app.set_timer(SETTLE, lambda: count(app))
    else:
        count(app)

def count(app):
    app._t0 = (time.process_time(), time.perf_counter())
    app.set_timer(SECONDS, lambda: finish(app))

def finish(app):
    cpu = time.process_time() - app._t0[0]
    wall = time.perf_counter() - app._t0[1]
    print(f"{{cpu:.4f}} {{wall:.4f}}", flush=True)
    app.exit()

App_().run(headless=True, size=(160, 50))
"""

EMPTY = """
from textual.app import App
from textual.widgets import Footer, Header

class App_(App[None]):
    def compose(self):
        yield Header(show_clock=True)
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(lambda: start_measuring(self))
"""

WATCHFLOOR = """
from backends.config import load
from backends.wiring import build_sources
from tui.app import WatchfloorApp

class _W(WatchfloorApp):
    def on_mount(self):  # Textual also runs WatchfloorApp.on_mount
        self._wait = self.set_interval(0.05, self._bench_ready)

    def _bench_ready(self):
        if self.all_panes_filled():
            self._wait.stop()
            start_measuring(self)

def App_():
    return _W(build_sources(load()))
"""


def measure(
    app_code: str, seconds: float, env: dict[str, str], settle: float = 2.0
) -> tuple[float, float]:
    code = CHILD.format(seconds=seconds, settle=settle, app_code=app_code)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=seconds + settle + 120,
        check=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--settle", type=float, default=2.0, help="seconds before counting")
    ap.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "WATCHFLOOR_DATA_DIR": tmp,
            "PYTHONPATH": str(root),
            "XDG_CONFIG_HOME": str(Path(tmp) / "xdg"),
        }
        e_cpu, e_wall = measure(EMPTY, args.seconds, env, args.settle)
        w_cpu, w_wall = measure(WATCHFLOOR, args.seconds, env, args.settle)
    e_pct, w_pct = 100 * e_cpu / e_wall, 100 * w_cpu / w_wall
    print(
        f"idle CPU over {args.seconds:.0f} s after a {args.settle:g} s settle, "
        "headless 160x50, no input"
    )
    print(
        f"  empty Textual app (Header+clock, Footer): {e_cpu:6.2f} CPU-s  {e_pct:5.2f}% of a core"
    )
    print(
        f"  watchfloor, local default:                {w_cpu:6.2f} CPU-s  {w_pct:5.2f}% of a core"
    )
    print(
        f"  ratio {w_cpu / e_cpu if e_cpu else float('inf'):.1f}x the empty app; "
        f"target <= {TARGET_PCT}% of a core: {'ok' if w_pct <= TARGET_PCT else 'MISSED'}"
    )
    return 1 if (args.check and w_pct > TARGET_PCT) else 0


if __name__ == "__main__":
    sys.exit(main())
