"""A relative data_dir in a config file is the file's directory's, not the current one's.

Before: `data_dir = "rel-y"` in /etc/x/watchfloor.toml was ./rel-y wherever a command was
started, so one run from elsewhere used another audit trail, step-up secret and
baselines; `config check` showed "rel-y", unresolved."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import watchfloor_cmd


def run(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*watchfloor_cmd(), *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=env
    )


def test_a_relative_data_dir_is_taken_from_its_config_file(tmp_path: Path) -> None:
    conf, elsewhere = tmp_path / "conf", tmp_path / "elsewhere"
    conf.mkdir()
    elsewhere.mkdir()
    (conf / "watchfloor.toml").write_text('data_dir = "state"\n')
    env = {k: v for k, v in os.environ.items() if k != "WATCHFLOOR_DATA_DIR"}
    checked = run(elsewhere, "--config", "../conf/watchfloor.toml", "config", "check", env=env)
    assert checked.returncode == 0, checked.stderr
    assert f"data dir: {conf / 'state'} (does not exist yet" in checked.stdout
    listed = run(elsewhere, "--config", "../conf/watchfloor.toml", "grants", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert (conf / "state" / "watchfloor.sqlite3").exists()
    assert not (elsewhere / "state").exists()


def test_a_relative_data_dir_in_a_variable_is_the_current_directorys(tmp_path: Path) -> None:
    env = {**os.environ, "WATCHFLOOR_DATA_DIR": "here"}
    checked = run(tmp_path, "config", "check", env=env)
    assert f"data dir: {tmp_path / 'here'} (does not exist yet" in checked.stdout
