"""End to end, as a new user would: the installed `watchfloor` in a real terminal (tmux).

Start it, read the panes off the screen, grant and revoke, schedule and HALT a fault,
filter, export a report, quit. Every assertion is on what the screen (or the disk) shows.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pyotp
import pytest

from tests.conftest import watchfloor_cmd
from tests.e2e.tmux import Tmux
from tests.grant_helpers import secret_of

pytestmark = pytest.mark.slow


def test_a_new_user_drives_the_dashboard(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {
        "WATCHFLOOR_DATA_DIR": str(data),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "WATCHFLOOR_UI__ACTOR": "dave",
        "TERM": "xterm-256color",
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
    }
    enroll = subprocess.run(
        [*watchfloor_cmd(), "stepup", "enroll"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=True,
    )
    uri = re.search(r"otpauth://\S+", enroll.stdout)
    assert uri, enroll.stdout
    totp = pyotp.TOTP(secret_of(uri.group(0)))

    with Tmux(watchfloor_cmd(), env) as term:
        term.wait_for("local simulation", within=40)
        screen = term.wait_for("Release train")
        for title in ("Latency", "Fault windows", "Access", "Break-glass", "Release train"):
            assert title in screen
        screen = term.wait_for("alice@example.com")  # the demo grants
        assert "GET /docs/:id" in screen and "GET /search" in screen

        # grant, with the step-up code from the authenticator
        term.keys("g")
        time.sleep(0.5)
        term.wait_for("step-up")
        for text in ("erin@example.com", "sre-oncall", "INC-4711 e2e: gateway on fire"):
            term.type(text)
            term.enter()
        term.enter()  # keep the default TTL
        term.type(totp.now())
        term.enter()
        term.wait_for("erin@example.com")

        # revoke it: focus the grants pane, filter to erin, select, r, reason, confirm
        term.keys("4", "/")
        term.wait_for("rows containing the text")
        term.type("erin")
        term.enter()
        term.wait_for("filter: erin")
        term.keys("4", "Home")
        time.sleep(0.5)
        term.keys("r")
        term.wait_for("Revoke break-glass access")
        term.type("incident resolved, no longer needed")
        term.enter()
        term.enter()
        term.wait_for("revoked")  # the toast; then the row leaves the pane
        deadline = time.monotonic() + 10
        while re.search(r"[0-9a-f]{12} erin@", screen := term.screen()):
            assert time.monotonic() < deadline, screen
            time.sleep(0.2)
        term.keys("/")
        term.wait_for("rows containing the text")
        term.keys("C-u")
        term.enter()  # clear the filter

        # schedule a fault window on docs-api, then HALT ALL
        term.keys("f")
        term.wait_for("Schedule a fault window")
        time.sleep(1.0)  # the modal focuses its first field once mounted
        term.type("docs-api")
        term.enter()
        term.type("stage")
        term.enter()
        term.keys("C-u")  # the delay field starts at 0ms
        term.type("750ms")
        term.wait_for("750ms", within=5)  # what was typed is in the field
        term.enter()
        term.type("30")
        for _ in range(8):  # delay %, then keep every default (guard route too) up to the reason
            term.enter()
        term.type("game day e2e latency drill")
        term.enter()
        screen = term.wait_for("stage/docs-api")
        assert "active" in screen
        term.keys("H")
        term.wait_for("HALT ALL fault injection")
        term.type("drill over, halting everything")
        term.enter()
        term.type("HALT")
        term.enter()
        screen = term.wait_for("ended")

        # filter the access pane, export the game-day report, quit
        term.keys("3", "/")
        term.wait_for("rows containing the text")
        term.type("tenant=")
        term.enter()
        screen = term.wait_for("filter: tenant=")
        rows = [ln for ln in screen.splitlines() if re.search(r"\b(service|region)=", ln)]
        assert not rows  # only tenant rows are left in the access table
        term.keys("x")
        term.wait_for("gameday-")
        term.keys("q")
        term.wait_for("EXITED=0", within=20)

    reports = list(data.glob("gameday-*.md"))
    assert len(reports) == 1
    md = reports[0].read_text()
    assert "fault window" in md and "stage/docs-api" in md
    # the audit saw both sides of every action, and verifies
    verify = subprocess.run(
        [*watchfloor_cmd(), "audit", "verify"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
