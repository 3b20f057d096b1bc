"""Every benchmark still runs, on tiny inputs, and prints its ratio line.

No figure is checked here: performance targets live in the benchmarks themselves (run
`make bench`, or one with `--check`). This only catches a benchmark broken by a change
elsewhere (a renamed widget, a moved function) before someone needs its numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "startup": (["--runs", "1"], "time ratio"),
    "audit_verify": (["--records", "200", "--runs", "1"], "ratio:"),
    "idle": (["--seconds", "2"], "of a core"),
    "grants": (["--tick-seconds", "1"], "tick CPU ratio"),
    "grants_poll": (["--grants", "40", "--polls", "3", "--runs", "1"], "poll CPU ratio"),
    "quantile": (["--samples", "20000", "--seeds", "1"], "p99.9 error"),
    "replay": (["--decisions", "200", "--rounds", "1"], "ratio"),
    "faults_halt": (["--windows", "4", "--runs", "1"], "ratio:"),
    "github_poll": (["--polls", "3"], "steady ratio"),
    "ingest": (["--messages", "2000", "--rounds", "1", "--presses", "10"], "keypress"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_benchmark_runs(name: str, tmp_path: Path) -> None:
    args, expect = CASES[name]
    env = {**os.environ, "WATCHFLOOR_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("TEXTUAL", None)
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert expect in done.stdout, done.stdout
