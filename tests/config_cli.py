"""Run `watchfloor` on a config file written for the test (the tests' own data dir and
XDG_CONFIG_HOME, from conftest's isolated_env)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import watchfloor_cmd


def run_on(
    tmp_path: Path, body: str, *args: str, env: Mapping[str, str | None] | None = None
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Write `body` to a config file and run `watchfloor --config FILE ARGS` (`env`: the
    variables to set, or with None to unset)."""
    cfg = tmp_path / "c.toml"
    cfg.write_text(body)
    proc = subprocess.run(
        [*watchfloor_cmd(), "--config", str(cfg), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None},
    )
    return cfg, proc


def refused(proc: subprocess.CompletedProcess[str]) -> str:
    """stderr of a run that refused its config: exit 2, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "failed:" not in proc.stderr, proc.stderr
    return proc.stderr
