"""A data dir watchfloor makes is its owner's only (0700): it holds the audit trail, the
grants and their reasons, the step-up secret and the signing key.

Before: made with the umask's 0755, and watchfloor.sqlite3 0644, so any user of a shared
host could read the trail and every grant's reason. One that exists is left as it is."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from tests.conftest import watchfloor_cmd


def snapshot(data_dir: Path) -> None:
    env = {**os.environ, "WATCHFLOOR_DATA_DIR": str(data_dir)}
    subprocess.run(
        [*watchfloor_cmd(), "snapshot", "--json"],
        capture_output=True,
        timeout=60,
        env=env,
        check=True,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_dir_is_the_owners_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "watchfloor"
    snapshot(data_dir)
    assert mode(data_dir) == 0o700
    assert (data_dir / "watchfloor.sqlite3").exists()


def test_an_existing_data_dir_keeps_its_mode(tmp_path: Path) -> None:
    data_dir = tmp_path / "shared"
    data_dir.mkdir(mode=0o750)
    data_dir.chmod(0o750)
    snapshot(data_dir)
    assert mode(data_dir) == 0o750
