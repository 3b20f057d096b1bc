"""Escape sequences and newlines in free text. A grant's reason `INC-3 ESC[8mhidden ESC]0;pwned
BEL ESC[1A ESC[2K spoof` was printed as is by `audit list`: the terminal erased the record
above, hid text and retitled the window; a fault reason with a newline printed a line that
read as an audit record, and a forged row in the game-day report's timeline table.

New text with a control character is refused, naming the field (a reason has its
whitespace squeezed first, so a pasted newline is a space); what is already stored is shown
with the characters made visible, on the command line and in the report."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from backends.config import load
from backends.fault_store import FaultStore, store_path
from backends.models import (
    FaultGuards,
    FaultRequest,
    FaultSpec,
    FaultsSnapshot,
    FaultWindow,
    Grant,
    GrantRequest,
    HealthState,
    SourceHealth,
)
from backends.report import game_day_report
from backends.text_safe import md_cell, md_text, shown
from backends.timeline import Event
from backends.wiring import Sources, build_sources
from tests.conftest import T0, watchfloor_cmd

EVIL = "INC-3 \x1b[8mhidden\x1b[0m \x1b]0;pwned\x07 \x1b[1A\x1b[2K spoof"
FORGED = "INC-9 drill |\n| 21:00:00Z | audit | root revoke forged row |"
SPEC = FaultSpec(target_host="gateway", namespace="stage", delay_ms=100, delay_percent=10)


def test_shown_makes_control_characters_visible_and_leaves_plain_text_alone() -> None:
    assert shown("INC-4711: gateway p99.9 — ok") == "INC-4711: gateway p99.9 — ok"
    assert shown(EVIL) == ("INC-3 \\x1b[8mhidden\\x1b[0m \\x1b]0;pwned\\x07 \\x1b[1A\\x1b[2K spoof")
    assert shown("a\nb\tc\x9bd\u202ee") == "a⏎b\\tc\\x9bd\\u202ee"


def test_markdown_text_cannot_add_a_row_a_column_or_a_link() -> None:
    assert md_cell(FORGED) == (
        "INC-9 drill \\|⏎\\| 21:00:00Z \\| audit \\| root revoke forged row \\|"
    )
    assert md_text("see [the runbook](http://x) *now*") == (
        "see \\[the runbook\\](http://x) \\*now\\*"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("reason", EVIL), ("subject", "eve\x1b[2K"), ("subject", "eve\nroot"), ("role", "db\x9b")],
)
def test_a_grant_request_with_a_control_character_is_refused_naming_the_field(
    field: str, value: str
) -> None:
    base = {"subject": "alice", "role": "sre-oncall", "reason": "INC-4711 gateway down"}
    with pytest.raises(ValidationError) as info:
        GrantRequest(**{**base, field: value})
    (err,) = info.value.errors()
    assert err["loc"] == (field,)
    assert "control character" in err["msg"] or "line break" in err["msg"]
    assert "\x1b" not in err["msg"] and "\n" not in err["msg"]  # one line, shown


def test_reasons_have_their_whitespace_squeezed_fault_reasons_as_grant_reasons() -> None:
    fault = FaultRequest(spec=SPEC, reason=FORGED)
    assert fault.reason == "INC-9 drill | | 21:00:00Z | audit | root revoke forged row |"
    grant = GrantRequest(subject="a", role="b", reason="INC-1\n  two\twords ")
    assert grant.reason == "INC-1 two words"
    with pytest.raises(ValidationError) as info:
        FaultRequest(spec=SPEC, reason="INC-9 drill \x1b]0;x\x07")
    assert info.value.errors()[0]["loc"] == ("reason",)


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*watchfloor_cmd(), *argv], capture_output=True, text=True, timeout=60)


def test_the_command_line_refuses_new_text_with_an_escape_sequence() -> None:
    sched = ("faults", "schedule", "--host", "gateway", "-n", "stage", "--abort-percent", "1")
    proc = run(*sched, "--reason", "INC-9 drill \x1b]0;pwned\x07 now")
    assert proc.returncode == 1 and "\x1b" not in proc.stderr
    assert "--reason: has a control character (\\x1b at character 13)" in proc.stderr
    proc = run(
        *sched, "--guard-p999-ms", "900", "--guard-route", "GET /\x1b[1A", "--reason", "r" * 12
    )
    assert proc.returncode == 1 and "guard route has a control character" in proc.stderr
    proc = run("grants", "revoke", "abc", "--reason", "INC-3 done \x1b[2K here")
    assert proc.returncode == 1 and "reason has a control character (\\x1b" in proc.stderr


async def stored_evil_grant(sources: Sources) -> Grant:
    """dave's grant with EVIL as its reason, put in the store as one written without these
    checks has it (after the demo grants)."""
    grants = sources["grants"]
    await grants.snapshot()  # the demo grants, first
    now = sources.ctx.clock.now()
    g = Grant(
        id="e8f04f377954",
        subject="dave",
        role="sre-oncall",
        reason=EVIL,
        granted_by="root",
        granted_at=now,
        expires_at=now + timedelta(minutes=10),
    )
    await asyncio.to_thread(grants.rt.store.insert_grant, g)
    return g


def store_old_records(data_dir: Path) -> None:
    """What an older version (or another tool) stored: escapes and a newline in reasons."""
    sources = build_sources(load())

    async def write() -> None:
        try:
            now = (await stored_evil_grant(sources)).granted_at
            for n, reason in enumerate((EVIL, FORGED)):
                details = {"reason": reason}
                await sources.ctx.audit.append(
                    "root",
                    "grant",
                    "dave:sre-oncall",
                    "request",
                    record_id=f"r{n}",
                    details=details,
                )
            w = FaultWindow(
                id="76b5c299",
                spec=SPEC,
                owner="root",
                reason=FORGED,
                starts_at=now,
                ends_at=now + timedelta(minutes=10),
                end_reason="HALT ALL by eve: \x1b[2K",
            )
            store = FaultStore(store_path(data_dir, "local"))
            store.put(w)
            store.close()
        finally:
            await sources.aclose()

    asyncio.run(write())


def test_the_list_commands_show_stored_escapes_and_newlines_visibly(data_dir: Path) -> None:
    store_old_records(data_dir)
    for argv, key, status in (
        (("audit", "list"), "", 1),  # so the trail fails verification: listed, exit 1
        (("grants", "list"), "grants", 1),  # the grant stored without its audit records
        (("faults", "list"), "windows", 0),
    ):
        proc = run(*argv)
        assert proc.returncode == status, proc.stderr
        out = proc.stdout
        assert "\x1b" not in out and "\x07" not in out, argv
        doc = json.loads(run(*argv, "--json").stdout)
        count = len(doc[key] if key else doc)
        assert len(out.splitlines()) == 1 + count, out  # a line a record: none forged
    audit = run("audit", "list").stdout
    assert "INC-3 \\x1b[8mhidden\\x1b[0m \\x1b]0;pwned\\x07 \\x1b[1A\\x1b[2K spoof" in audit
    assert "INC-9 drill |⏎| 21:00:00Z | audit | root revoke forged row |" in audit
    grants = run("grants", "list").stdout
    assert "INC-3 \\x1b[8mhidden" in grants
    assert "HALT ALL by eve: \\x1b[2K" in run("faults", "list").stdout


def test_the_report_escapes_what_would_forge_a_row_or_drive_a_terminal() -> None:
    now = T0 + timedelta(minutes=30)
    w = FaultWindow(
        id="76b5c299",
        spec=SPEC,
        owner="root",
        reason=FORGED,
        starts_at=T0,
        ends_at=T0 + timedelta(minutes=10),
        guards=FaultGuards(),
    )
    md = game_day_report(
        now=now,
        environment="stage",
        events=[Event(T0, "grant", f"dave got sre-oncall: {EVIL}"), Event(T0, "fault", FORGED)],
        alerts=[],
        first_seen={},
        latency=None,
        baselines={},
        faults=FaultsSnapshot(
            observed_at=now,
            health=SourceHealth(state=HealthState.OK, last_ok_at=now),
            windows=(w,),
        ),
    )
    assert "\x1b" not in md and "\x07" not in md
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert not [r for r in rows if "21:00:00Z" in r and r.startswith("| 21:00:00Z")]
    timeline = md.split("## Timeline", 1)[1].splitlines()
    table = [line for line in timeline if line.startswith("|")]
    assert len(table) == 2 + 2  # the header, its rule and the two events: nothing forged
    assert all(line.count(" | ") == 2 for line in table[2:]), table
    assert "scheduled by root: INC-9 drill | | 21:00:00Z | audit" in md  # on its own line
