"""Policy dry-run: flips checked against hand-computed expectations; events from files."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from backends.access_events import decision_of, event_from
from backends.clock import utc_now
from backends.models import Decision
from backends.policy import PolicyError, policy_path
from backends.replay import input_of, load_events, naive_replay, replay
from tests.access.events import opa_event
from tests.conftest import watchfloor_cmd

# Tenant and data_class must match, restricted data is never allowed, admins always are.
# Unlike the current policy (policy/abac.rego), any service may now be allowed.
CANDIDATE = """
package abac

import rego.v1

default allow := false

allow if input.attrs.role == "admin"

allow if {
	input.attrs.tenant == input.request.tenant
	input.attrs.data_class == input.request.data_class
	input.attrs.data_class != "restricted"
}
"""

# (service, tenant, data_class, request_tenant, role, recorded outcome) and, worked out by
# hand from CANDIDATE, what the candidate says.
CASES = [
    ("gateway", "acme", "public", "acme", "user", True, True),  # unchanged
    ("gateway", "acme", "restricted", "acme", "user", True, False),  # allow->deny
    ("docs-api", "globex", "internal", "globex", "user", False, True),  # deny->allow
    ("docs-api", "globex", "public", "globex", "user", False, True),  # deny->allow
    ("docs-api", "acme", "public", "globex", "user", False, False),  # unchanged
    ("billing", "initech", "restricted", "initech", "admin", True, True),  # unchanged
    ("gateway", "initech", "restricted", "initech", "user", True, False),  # allow->deny
]


def decisions() -> list[Decision]:
    out = []
    for svc, ten, dc, req_ten, role, before, _ in CASES:
        ev = opa_event(
            service=svc,
            tenant=ten,
            data_class=dc,
            request_tenant=req_ten,
            role=role,
            allowed=before,
        )
        out.append(decision_of(event_from(ev), utc_now()))
    return out


@pytest.fixture
def candidate(tmp_path: Path) -> Path:
    p = tmp_path / "candidate.rego"
    p.write_text(CANDIDATE)
    return p


def test_flips_match_the_hand_computed_expectations(candidate: Path) -> None:
    seen: list[tuple[int, int]] = []
    report = replay(decisions(), [candidate], progress=lambda d, t: seen.append((d, t)))
    assert report.replayed == 7
    assert (report.allow_to_deny, report.deny_to_allow, report.unchanged) == (2, 2, 3)
    groups = {(g.service, g.tenant): (g.allow_to_deny, g.deny_to_allow) for g in report.groups}
    assert groups == {
        ("docs-api", "globex"): (0, 2),
        ("gateway", "acme"): (1, 0),
        ("gateway", "initech"): (1, 0),
    }
    assert report.groups[0].service == "docs-api"  # most flips first
    assert [(f.before, f.after) for f in report.flips] == [
        (True, False),
        (False, True),
        (False, True),
        (True, False),
    ]
    assert seen[-1] == (7, 7)


def test_the_naive_loop_agrees(candidate: Path) -> None:
    assert naive_replay(decisions(), [candidate]) == [c[6] for c in CASES]


def test_the_shipped_policy_reproduces_its_own_outcomes() -> None:
    """Decisions recorded under policy/abac.rego replayed through it flip nothing."""
    ds = decisions()
    # The CASES are all served from eu-west-1 in stage (opa_event's defaults), where every
    # service here is registered, and acme, globex and initech's public and internal data
    # may be served; stage holds no restricted data.
    assert {(d.attrs.region, d.attrs.environment) for d in ds} == {("eu-west-1", "stage")}
    expected = [
        d.attrs.role == "admin"
        or (
            d.attrs.tenant == d.request_tenant
            and d.attrs.data_class == d.request_data_class
            and d.attrs.data_class != "restricted"
        )
        for d in ds
    ]
    assert expected == [True, False, True, True, False, True, False]
    recorded = [d.model_copy(update={"allowed": e}) for d, e in zip(ds, expected, strict=True)]
    report = replay(recorded, [policy_path("abac.rego")])
    assert report.replayed == 7 and report.allow_to_deny == report.deny_to_allow == 0


def test_a_broken_candidate_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rego"
    bad.write_text("package abac\nallow if {\n")
    with pytest.raises(PolicyError, match=r"bad.rego:2:10: this is unclosed \(and 1 more\)$"):
        replay(decisions(), [bad])


def test_a_syntax_error_is_one_line_and_json_output_stays_json(tmp_path: Path) -> None:
    """rego-cpp printed its own report ("Errors: ... Pass parse failed with 2 errors!") to
    stdout, under --json and under the dashboard too, and the refusal was its raw
    S-expression. Now: file:line:col and the message, on stderr only."""
    bad = tmp_path / "bad.rego"
    bad.write_text("package abac\n\nallow if {\n  input.x == }\n")
    proc = subprocess.run(
        [*watchfloor_cmd(), "policy", "replay", str(bad), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"watchfloor policy replay: {bad}:4:11: Invalid boolean operator\n"
    folder = subprocess.run(
        [*watchfloor_cmd(), "policy", "replay", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert folder.returncode == 2 and "a directory, not a policy file" in folder.stderr
    negative = subprocess.run(
        [*watchfloor_cmd(), "policy", "replay", str(bad), "--last", "-3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert negative.returncode == 2 and "--last: must be at least 1: '-3'" in negative.stderr
    no_events = subprocess.run(
        [*watchfloor_cmd(), "policy", "replay", str(bad), "--events", str(tmp_path / "no.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert no_events.returncode == 2
    assert no_events.stderr.endswith(f"{tmp_path / 'no.json'}: No such file or directory\n")


def test_a_default_that_is_not_a_constant_is_refused(tmp_path: Path) -> None:
    """A typo such as `fals` is a variable to Rego: OPA refuses the module, the embedded
    interpreter would leave `allow` undefined (a deny) and show every allow as a flip."""
    typo = tmp_path / "typo.rego"
    typo.write_text(CANDIDATE.replace("default allow := false", "default allow := fals"))
    with pytest.raises(PolicyError, match=r"typo.rego:6: default value of 'allow' .*fals"):
        replay(decisions(), [typo])
    nested = tmp_path / "nested.rego"
    nested.write_text(
        CANDIDATE
        + 'default reasons := {\n  "why": ["a b", true],  # not_a_name\n  "n": 1.5e3,\n}\n'
        + "default limit := [\n  input.x,\n]\n"
    )
    with pytest.raises(PolicyError, match=r"nested.rego:\d+: default value of 'limit'.* input"):
        replay(decisions(), [nested])
    constants = tmp_path / "constants.rego"
    constants.write_text(
        CANDIDATE
        + 'default reasons := {\n  "why": ["x := y", null],  # a comment\n  "n": 1.5e3,\n}\n'
        + "default note := `a raw\nstring`\n"
    )
    assert replay(decisions(), [constants]).replayed == len(decisions())


def test_input_is_the_logged_one_or_rebuilt() -> None:
    d = decisions()[2]
    assert input_of(d)["request"] == {"tenant": "globex", "data_class": "internal"}
    bare = d.model_copy(update={"input_doc": None})
    assert input_of(bare) == {
        "attrs": d.attrs.model_dump(),
        "request": {"tenant": "globex", "data_class": "internal"},
    }


def _events() -> list[dict[str, object]]:
    return [
        opa_event(service=s, tenant=t, data_class=dc, request_tenant=rt, role=r, allowed=b)
        for s, t, dc, rt, r, b, _ in CASES
    ]


def test_load_events_reads_gzip_arrays_lines_and_console_logs(tmp_path: Path) -> None:
    evs = _events()
    gz = tmp_path / "logs.json.gz"
    gz.write_bytes(gzip.compress(json.dumps(evs).encode()))
    lines = tmp_path / "logs.jsonl"
    console = [{"level": "info", "msg": "Decision Log", **e} for e in evs]
    lines.write_text("\n".join(json.dumps(e) for e in [*console, {"msg": "other"}]) + "\n")
    got, bad = load_events(gz)
    assert ([d.decision_id for d in got], bad) == ([e["decision_id"] for e in evs], 0)
    got2, bad2 = load_events(lines, limit=3)
    assert [d.decision_id for d in got2] == [e["decision_id"] for e in evs][-3:]
    assert bad2 == 1


def test_policy_replay_command(tmp_path: Path, candidate: Path) -> None:
    events = tmp_path / "events.json"
    events.write_text(json.dumps(_events()))
    cmd = [*watchfloor_cmd(), "policy", "replay", str(candidate), "--events", str(events)]
    proc = subprocess.run(
        [*cmd, "--json", "--fail-on-flips"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1, proc.stderr  # there are flips
    doc = json.loads(proc.stdout)
    assert (doc["allow_to_deny"], doc["deny_to_allow"], doc["unchanged"]) == (2, 2, 3)
    text = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert text.returncode == 0, text.stderr
    assert "2 allow->deny, 2 deny->allow" in text.stdout
    assert "docs-api" in text.stdout and "globex" in text.stdout
    missing = subprocess.run(
        [*watchfloor_cmd(), "policy", "replay", str(tmp_path / "nope.rego")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_policy_replay_from_the_local_simulation(tmp_path: Path) -> None:
    cmd = [
        *watchfloor_cmd(),
        "policy",
        "replay",
        str(policy_path("abac.rego")),
        "--for",
        "0.2s",
        "--last",
        "800",
        "--json",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["replayed"] == 800
    # The simulator decides with a copy of the shipped policy's rules
    # (backends/local/sim/policy.py): replayed through the policy, nothing flips.
    assert (doc["allow_to_deny"], doc["deny_to_allow"], doc["errors"]) == (0, 0, 0)
    assert doc["unchanged"] == 800 and doc["groups"] == []
