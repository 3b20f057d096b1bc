"""The demo grants are added once per data dir, however many first runs start at once.

Before: each process checked "no grants yet" and then added them, with only an in-process
lock between the two; `watchfloor snapshot --json` started twice at once on a fresh data
dir made 6 demo grants in 3 runs of 5 (8 at once: 15, with 30 audit records), and a
snapshot taken meanwhile could see a half-made set."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from tests.conftest import watchfloor_cmd

FIRST_RUNS = 6


def test_first_runs_at_once_add_the_demo_grants_once(data_dir: Path) -> None:
    procs = [
        subprocess.Popen(
            [*watchfloor_cmd(), "snapshot", "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(FIRST_RUNS)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    listed = subprocess.run(
        [*watchfloor_cmd(), "grants", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    grants = json.loads(listed.stdout)["grants"]
    assert sorted(g["subject"] for g in grants) == [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
    ]
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    (records,) = db.execute("SELECT COUNT(*) FROM audit").fetchone()
    db.close()
    assert records == 6  # a request and an outcome each
