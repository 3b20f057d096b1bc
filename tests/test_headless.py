"""`watchfloor snapshot --json`: what scripts and tests use to see what the panes see."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from importlib.metadata import version

from tests.conftest import watchfloor_cmd


def test_snapshot_json_has_every_pane_with_health() -> None:
    started = time.monotonic()
    proc = subprocess.run(
        [*watchfloor_cmd(), "snapshot", "--json", "--for", "1.5s"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "WATCHFLOOR_UI__REFRESH_S": "0.5"},  # updates at 0, 0.5, 1, 1.5 s
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["local_simulation"] is True
    for pane in ("access", "grants", "release", "latency", "faults"):
        assert doc[pane]["health"]["state"] == "ok", pane
        assert doc[pane]["source"] == "local"
    assert {r["route"] for r in doc["latency"]["routes"]} == {"GET /docs/:id", "GET /search"}
    assert doc["access"]["total"] > 0 and doc["access"]["rows"]
    assert len(doc["grants"]["grants"]) == 3
    assert doc["release"]["current"]["stages"]
    assert isinstance(doc["alerts"], list)
    # --for listens, and what is printed is the latest update (<= 0.5 s old), not the
    # first (1.5 s old)
    assert elapsed >= 1.5
    end = datetime.fromisoformat(doc["observed_at"])
    # one way of writing UTC throughout: the document's time read "+00:00", its panes' "Z"
    assert doc["observed_at"].endswith("Z") and doc["latency"]["observed_at"].endswith("Z")
    for pane in ("access", "latency"):
        assert (end - datetime.fromisoformat(doc[pane]["observed_at"])).total_seconds() < 1.0


def test_version_names_watchfloor_textual_and_python() -> None:
    proc = subprocess.run(
        [*watchfloor_cmd(), "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    python = ".".join(map(str, sys.version_info[:3]))
    assert proc.stdout == (
        f"watchfloor {version('watchfloor')} (textual {version('textual')}, python {python})\n"
    )


def test_bad_duration_is_a_usage_error() -> None:
    proc = subprocess.run(
        [*watchfloor_cmd(), "snapshot", "--for", "soon"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "not a duration" in proc.stderr


def test_a_reader_that_stops_early_ends_the_command_quietly() -> None:
    """`watchfloor snapshot --json | head`: no traceback, the exit status of SIGPIPE."""
    r, w = os.pipe()
    os.close(r)  # the reader is gone before the command writes a byte
    try:
        proc = subprocess.run(
            [*watchfloor_cmd(), "snapshot", "--json"],
            stdout=w,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(w)
    assert proc.stderr == ""
    assert proc.returncode == 141


def test_empty_listings_say_so_on_stderr_and_leave_stdout_empty() -> None:
    no_demo = {**os.environ, "WATCHFLOOR_BACKENDS__LOCAL__DEMO_GRANTS": "false"}
    for args, message in (
        (("faults", "list"), "no fault windows"),
        (("audit", "list"), "no audit records yet"),
        (("grants", "list"), "no active grants"),
    ):
        proc = subprocess.run(
            [*watchfloor_cmd(), *args], capture_output=True, text=True, timeout=60, env=no_demo
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == ""
        assert message in proc.stderr


async def test_listening_says_how_long_is_left_and_which_panes_wait() -> None:
    """`--for 10s` sat silent for ten seconds; on a terminal it now counts down on stderr
    (one line, rewritten, cleared at the end: stdout stays the JSON)."""
    from backends.contracts import PANES
    from tests.helpers import local_sources
    from tui.headless import collect

    told: list[str] = []
    latest = await collect(local_sources(), 2.2, told.append)
    assert all(latest[cap] is not None for cap in PANES)
    assert told[0].startswith("listening 3s…") and told[-1] == ""  # cleared at the end
    left = [int(t.removeprefix("listening ").split("s…")[0]) for t in told[:-1]]
    assert left[0] == 3 and left == sorted(set(left), reverse=True) and len(left) >= 2
    assert "no update yet" not in told[-2]  # every pane had answered by then
