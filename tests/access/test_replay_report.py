"""What `watchfloor policy replay` says beyond the flips: which decisions (their time span,
and that there were fewer than asked), the decisions it could not evaluate (where, and a
failing exit status), and a decision rule the candidate leaves without a default."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from backends.rego_source import describe_eval_error
from tests.access.test_replay import CANDIDATE, CASES, _events
from tests.conftest import watchfloor_cmd

# admins are allowed, acme is not: an acme admin gets two answers from a complete rule
CONFLICT = """package abac

import rego.v1

default allow := false

allow := true if input.attrs.role == "admin"

allow := false if input.attrs.tenant == "acme"
"""


def events_file(tmp_path: Path) -> Path:
    evs = _events()
    for i, ev in enumerate(evs):  # 09:00:00 .. 09:00:06 on 16 March, then one a day later
        ev["timestamp"] = f"2026-03-16T09:00:0{i}.5Z"
    evs[-1]["timestamp"] = "2026-03-17T08:59:59Z"
    path = tmp_path / "events.json"
    path.write_text(json.dumps(evs))
    return path


def replay_cmd(candidate: Path, events: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*watchfloor_cmd(), "policy", "replay", str(candidate), "--events", str(events), *more],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_says_when_the_decisions_are_from_and_that_there_were_fewer_than_asked(
    tmp_path: Path,
) -> None:
    """Asked for 100,000 it replayed the 7 there were and said only "replayed 7": not when
    they were from, nor that 7 was all there was."""
    cand = tmp_path / "candidate.rego"
    cand.write_text(CANDIDATE)
    events = events_file(tmp_path)
    text = replay_cmd(cand, events, "--last", "100000")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(
        "replayed 7 decisions from 2026-03-16 09:00:00Z to 2026-03-17 08:59:59Z"
        " (all 7 in events.json; asked 100,000) through "
    ), text.stdout
    doc = json.loads(replay_cmd(cand, events, "--last", "100000", "--json").stdout)
    assert (doc["asked"], doc["available"], doc["capped"]) == (100000, 7, True)
    assert (doc["from"], doc["to"]) == (
        "2026-03-16T09:00:00.500000+00:00",
        "2026-03-17T08:59:59+00:00",
    )
    last3 = json.loads(replay_cmd(cand, events, "--last", "3", "--json").stdout)
    assert (last3["replayed"], last3["capped"]) == (3, False)
    assert last3["from"] == "2026-03-16T09:00:04.500000+00:00"
    plain = replay_cmd(cand, events, "--last", "3").stdout
    assert "replayed 3 decisions from 2026-03-16 09:00:04Z to 2026-03-17 08:59:59Z through" in (
        plain
    )


def test_decisions_it_cannot_evaluate_name_the_file_and_fail_the_command(
    tmp_path: Path,
) -> None:
    """A conflicting complete rule said "abac/allow: unexpected output '<error>'", no file,
    and the command exited 0: "no flips" with errors read as a pass."""
    cand = tmp_path / "conflict.rego"
    cand.write_text(CONFLICT)
    events = events_file(tmp_path)
    evs = json.loads(events.read_text())
    assert evs[0]["input"]["attrs"]["tenant"] == "acme"
    evs[0]["input"]["attrs"]["role"] = "admin"  # the one decision with two answers
    events.write_text(json.dumps(evs))
    proc = replay_cmd(cand, events)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert ", 1 errors" in proc.stdout
    assert (
        f"first error: {cand}: abac/allow: complete rules must not produce multiple outputs"
        " (no line from the evaluator; `allow` is defined at lines 5, 7, 9)"
    ) in proc.stderr
    as_json = replay_cmd(cand, events, "--json")
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["errors"] == 1
    helped = subprocess.run(
        [*watchfloor_cmd(), "policy", "replay", "--help"], capture_output=True, text=True
    )
    assert "1  some decisions could not be evaluated" in helped.stdout


def test_an_error_with_a_location_names_the_line() -> None:
    text = "package abac\n\nallow if {\n  f(input.x)\n}\n"
    raw = "(error\n  (errormsg 4:boom)\n  (errorast\n    (expr 9:cand.rego|27|10)))"
    sources = {"cand.rego": (Path("/p/cand.rego"), text)}
    assert describe_eval_error(raw, "abac/allow", sources) == "/p/cand.rego:4: abac/allow: boom"


def test_a_candidate_without_a_default_is_warned_of(tmp_path: Path) -> None:
    """With `default allow := false` removed, 0 new flips and no word that `allow` is now
    undefined whenever no rule holds: the dry-run counts that as deny, a client may not."""
    cand = tmp_path / "nodefault.rego"
    cand.write_text(CANDIDATE.replace("default allow := false\n", ""))
    events = events_file(tmp_path)
    proc = replay_cmd(cand, events)
    assert proc.returncode == 0, proc.stderr
    assert "2 allow->deny, 2 deny->allow" in proc.stdout  # undefined counted as deny
    undefined = sum(1 for c in CASES if not c[6])
    assert (
        f"warning: abac/allow has no `default allow` in the candidate: it was undefined for"
        f" {undefined} of 7 decisions, counted here as deny; OPA then returns no result"
    ) in proc.stderr
    doc = json.loads(replay_cmd(cand, events, "--json").stdout)
    assert (doc["undefined"], doc["no_default"]) == (undefined, ["abac/allow"])
    assert doc["warnings"] and "add `default allow := false`" in doc["warnings"][0]
    with_default = tmp_path / "candidate.rego"
    with_default.write_text(CANDIDATE)
    fine = replay_cmd(with_default, events)
    assert "warning" not in fine.stderr
