"""`watchfloor stepup enroll`, `watchfloor grants list|grant|revoke` as a script uses them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyotp

from tests.conftest import watchfloor_cmd
from tests.grant_helpers import secret_of


def wf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*watchfloor_cmd(), *args], capture_output=True, text=True, timeout=60)


def test_enroll_grant_list_revoke_headless() -> None:
    enrolled = wf("stepup", "enroll")
    assert enrolled.returncode == 0, enrolled.stderr
    uri = next(line for line in enrolled.stdout.splitlines() if line.startswith("otpauth://"))
    assert "▀" in enrolled.stdout or "█" in enrolled.stdout  # the QR code
    again = wf("stepup", "enroll")
    assert again.returncode == 1 and "already enrolled" in again.stderr
    code = pyotp.TOTP(secret_of(uri)).now()

    args = ["grants", "grant", "--subject", "erin", "--role", "db-reader", "--ttl", "45m"]
    short = wf(*args, "--reason", "because", "--code", code)
    assert short.returncode == 1 and "a grant needs a reason" in short.stderr

    ok = wf(*args, "--reason", "INC-9 verify tenant data", "--code", code, "--json")
    assert ok.returncode == 0, ok.stderr
    grant = json.loads(ok.stdout)
    reused = wf(*args, "--reason", "INC-9 verify tenant data", "--code", code)
    assert reused.returncode == 1 and "already used" in reused.stderr

    listed = json.loads(wf("grants", "list", "--json").stdout)
    mine = [g for g in listed["grants"] if g["id"] == grant["id"]]
    assert mine and mine[0]["subject"] == "erin" and mine[0]["role"] == "db-reader"
    assert grant["id"] in wf("grants", "list").stdout

    no_reason = wf("grants", "revoke", grant["id"], "--reason", "x")
    assert no_reason.returncode == 1 and "reason" in no_reason.stderr
    revoked = wf("grants", "revoke", grant["id"], "--reason", "incident closed, not needed")
    assert revoked.returncode == 0, revoked.stderr
    after = json.loads(wf("grants", "list", "--json").stdout)
    assert grant["id"] not in {g["id"] for g in after["grants"]}
    # which way it ended, and whose it was: it carried only id, at, revoked_by and reason
    (ended,) = [e for e in after["ended"] if e["id"] == grant["id"]]
    assert ended["how"] == "revoked" and ended["reason"] == "incident closed, not needed"
    assert ended["subject"] == "erin" and ended["role"] == "db-reader" and ended["revoked_by"]
    assert wf("audit", "verify").returncode == 0
    audit = json.loads(wf("audit", "list", "--json", "--limit", "4").stdout)
    assert [(r["action"], r["phase"]) for r in audit] == [
        ("grant", "request"),
        ("grant", "outcome"),
        ("revoke", "request"),
        ("revoke", "outcome"),
    ]
    assert code not in json.dumps(audit)


def test_list_from_a_broken_store_does_not_say_none(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "watchfloor.sqlite3").write_text("not a database, whatever it once was\n" * 20)
    listed = wf("grants", "list")
    assert listed.returncode == 1
    assert "no active grants" not in listed.stdout + listed.stderr  # the store is unreadable
    assert "grants source:" in listed.stderr and "not a database" in listed.stderr
