"""true is not a number and a number is not true/false, in every config table.

Before: pydantic's lax mode took `port = true` as port 1 (the pane then said "connection
refused (127.0.0.1:1)"), `refresh_s = true` as 1 s, `seed = true` as 1, and
`demo_grants = 1` / `read_only = 0` as on / off, while `config check` said ok."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import watchfloor_cmd

BAD = """\
[ui]
refresh_s = true
read_only = 0
[panes]
access = "mqtt"
[backends.mqtt]
port = true
[backends.local]
seed = true
demo_grants = 1
"""


def check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*watchfloor_cmd(), "config", "check", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_a_bool_for_a_number_and_a_number_for_a_bool_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bools.toml"
    path.write_text(BAD)
    proc = check(str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    said = proc.stderr.splitlines()
    assert said[0] == "watchfloor: 5 configuration errors:"
    assert sorted(said[1:]) == sorted(
        f"{path}: {key}: {why}"
        for key, why in (
            ("ui.refresh_s", "should be a number, not true or false (got True)"),
            ("ui.read_only", "should be true or false, not a number (got 0)"),
            ("backends.mqtt.port", "should be a number, not true or false (got True)"),
            ("backends.local.seed", "should be a number, not true or false (got True)"),
            ("backends.local.demo_grants", "should be true or false, not a number (got 1)"),
        )
    )


def test_variables_are_still_read_as_the_field_type() -> None:
    env = {
        "WATCHFLOOR_UI__READ_ONLY": "true",
        "WATCHFLOOR_UI__REFRESH_S": "2.5",
        "WATCHFLOOR_BACKENDS__LOCAL__SEED": "7",
        "WATCHFLOOR_BACKENDS__LOCAL__DEMO_GRANTS": "false",
    }
    proc = check(env=env)
    assert proc.returncode == 0, proc.stderr
