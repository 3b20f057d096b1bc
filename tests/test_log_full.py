"""A command that fails on a full disk says so in one line, and does not point at a log
it could not write.

Before: with the data dir's filesystem full, `faults halt`, `audit verify`, `audit list`,
`faults reconcile` and `stepup enroll` printed logging's own "--- Logging error ---" and
55-77 lines of traceback, then "(details: …/watchfloor.log)": a log of 0 bytes. Here the
log is /dev/full (every write: ENOSPC) and the store cannot be opened (a directory)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import watchfloor_cmd


def audit_verify(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WATCHFLOOR_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [*watchfloor_cmd(), "audit", "verify"], capture_output=True, text=True, timeout=60, env=env
    )


def test_a_failure_with_its_log_unwritable_is_one_line_saying_so(tmp_path: Path) -> None:
    (tmp_path / "watchfloor.sqlite3").mkdir()  # the store cannot be opened: a failure
    (tmp_path / "watchfloor.log").symlink_to("/dev/full")
    proc = audit_verify(tmp_path)
    assert proc.returncode == 1
    log = tmp_path / "watchfloor.log"
    assert proc.stderr == (
        "watchfloor: failed: OperationalError:"
        f" {tmp_path / 'watchfloor.sqlite3'}: unable to open database file"
        f" (not logged: {log}: No space left on device)\n"
    )


def test_a_failure_logged_points_at_its_log(tmp_path: Path) -> None:
    (tmp_path / "watchfloor.sqlite3").mkdir()
    proc = audit_verify(tmp_path)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.endswith(f" (details: {tmp_path / 'watchfloor.log'})\n")
    assert "OperationalError" in (tmp_path / "watchfloor.log").read_text()
