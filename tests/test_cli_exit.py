"""The dashboard's exit status: a crash is not a success."""

from __future__ import annotations

from typing import Any

import pytest

from tui import cli
from tui.app import WatchfloorApp


def test_a_crash_of_the_dashboard_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unhandled exception ends the app with Textual's return code 1 and its traceback;
    `watchfloor` returned 0 anyway, so a wrapper script or systemd saw a clean exit."""
    run = WatchfloorApp.run

    def headless(self: WatchfloorApp, **_: Any) -> None:  # no terminal under pytest
        run(self, headless=True)

    def crash(self: WatchfloorApp) -> None:
        raise RuntimeError("a pane fell over")

    monkeypatch.setattr(cli, "missing_terminals", list)
    monkeypatch.setattr(WatchfloorApp, "run", headless)
    monkeypatch.setattr(WatchfloorApp, "on_mount", crash)
    assert cli.main([]) == 1
    out = capsys.readouterr()
    assert "a pane fell over" in out.out + out.err


@pytest.mark.parametrize(
    "argv",
    [
        ("grants", "revoke", "abc", "--reason", "end of the incident drill"),
        (
            "grants",
            "grant",
            "--subject",
            "erin",
            "--role",
            "sre-oncall",
            "--reason",
            "INC-9 need pod exec",
            "--code",
            "CODE",
        ),
    ],
)
def test_a_headless_command_whose_backend_is_down_says_so_in_one_line(
    argv: tuple[str, ...], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OPA not answering: `grants revoke` printed ~60 lines of traceback ending in
    httpx.ConnectError. One line now, exit 1, and the traceback in the log."""
    import socket
    import subprocess

    from tests.conftest import watchfloor_cmd

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        "WATCHFLOOR_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "WATCHFLOOR_PANES__GRANTS": "opa",
        "WATCHFLOOR_BACKENDS__OPA__URL": f"http://127.0.0.1:{port}",
        "WATCHFLOOR_BACKENDS__OPA__TIMEOUT_S": "1",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    if "CODE" in argv:  # a code that passes: the grant gets as far as OPA
        import re

        import pyotp

        enrolled = subprocess.run(
            [*watchfloor_cmd(), "stepup", "enroll"], capture_output=True, text=True, timeout=60
        )
        secret = re.search(r"secret=([A-Z2-7]+)", enrolled.stdout)
        assert secret, enrolled.stdout
        argv = tuple(pyotp.TOTP(secret.group(1)).now() if a == "CODE" else a for a in argv)
    proc = subprocess.run([*watchfloor_cmd(), *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    log = tmp_path / "data" / "watchfloor.log"
    assert line.startswith(f"watchfloor: failed: connection refused (127.0.0.1:{port})")
    assert str(log) in line
    assert "Traceback" in log.read_text()
