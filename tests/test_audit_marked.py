"""A rewritten audit record is not shown as fact: `audit list` marks it (and what follows
it, which verification no longer vouches for) and warns on stderr; the timeline's title
and the game-day report say the trail fails verification. Before, only `audit verify`
noticed: list printed the edited reason unmarked and the timeline showed it "from the
audit trail" with no warning."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

from backends.audit_history import check_outcome, history_note, report_note
from backends.clock import FrozenClock
from backends.models import AuditVerification
from backends.timeline import Timeline
from tests.conftest import T0, watchfloor_cmd
from tests.grant_helpers import req
from tests.helpers import SIZE, local_app, wait_for
from tests.test_audit_tamper import drop_guards, eight_records
from tests.test_timeline_history import (
    ALICE,
    earlier_grant_and_window,
    open_timeline,
    report_timeline,
    rows,
    title,
)

FORGED = "routine check, nothing to see"


def rewrite_reason(data_dir: Path, seq: int) -> None:
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    drop_guards(db)
    db.execute(
        "UPDATE audit SET details = json_set(details, '$.reason', ?) WHERE seq = ?", (FORGED, seq)
    )
    db.commit()
    db.close()


def audit_list(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*watchfloor_cmd(), "audit", "list", *extra], capture_output=True, text=True, timeout=60
    )


async def test_audit_list_marks_a_rewritten_record_and_warns(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    rewrite_reason(data_dir, 7)
    proc = audit_list()
    assert proc.returncode == 1  # listed all the same, and a script sees it failed
    lines = proc.stdout.splitlines()
    marked = {line.split()[0] for line in lines[1:]}
    assert marked == {"1", "2", "3", "4", "5", "6", "7!", "8!"}, proc.stdout
    (seven,) = [line for line in lines if line.split()[0] == "7!"]
    assert seven.endswith(FORGED)  # still listed, as it reads now
    assert "the audit trail fails verification; records marked ! (7 on)" in proc.stderr
    assert "TAMPERED: record 7: record content does not match its hash (edited)" in proc.stderr
    as_json = audit_list("--json")
    assert as_json.returncode == 1
    docs = json.loads(as_json.stdout)
    assert [(d["seq"], d["verified"]) for d in docs] == [(s, s < 7) for s in range(1, 9)]


async def test_an_intact_trail_is_listed_without_marks_or_warnings(
    frozen_clock: FrozenClock,
) -> None:
    await eight_records(frozen_clock)
    proc = audit_list()
    assert proc.returncode == 0 and proc.stderr == ""
    assert [line.split()[0] for line in proc.stdout.splitlines()[1:]] == [
        str(s) for s in range(1, 9)
    ]


async def test_the_timeline_and_the_report_say_the_trail_fails_verification(
    frozen_clock: FrozenClock, data_dir: Path, tmp_path: Path
) -> None:
    await earlier_grant_and_window(frozen_clock)  # records 1-4: grant, fault-schedule
    rewrite_reason(data_dir, 1)  # the grant's request: why it was given
    frozen_clock.advance(600)
    app = local_app(frozen_clock)
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_timeline(pilot, app, "FAILS VERIFICATION")
        said = title(screen)
        assert "from the audit trail, which FAILS VERIFICATION (record 1: " in said, said
        assert "(edited)" in said
        (grant,) = [r for r in rows(screen) if ALICE in r[2]]
        assert grant[1] == "audit" and FORGED in grant[2]
        await pilot.press("escape")
        await pilot.press("x")
        await wait_for(pilot, lambda: any(tmp_path.glob("gameday-*.md")), what="the report")
    timeline = report_timeline(tmp_path)
    assert "**The audit trail fails verification** (record 1: " in timeline
    assert req().reason not in timeline  # the original reason is gone: the edit is shown


async def test_an_intact_trail_says_nothing_more_once_checked(
    frozen_clock: FrozenClock,
) -> None:
    await earlier_grant_and_window(frozen_clock)
    frozen_clock.advance(600)
    app = local_app(frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await wait_for(pilot, lambda: app.timeline.history_check == "ok", 10, what="checked")
        screen = await open_timeline(pilot, app, "from the audit trail")
        said = title(screen)
        assert "VERIFICATION" not in said and "checking" not in said and "not verified" not in said


def test_the_notes_say_how_checking_the_trail_went() -> None:
    tl = Timeline()
    tl.add_history({}, T0 - timedelta(hours=12))
    tl.history_checked("checking")
    assert "from the audit trail (checking it…)" in history_note(tl, T0)
    key = AuditVerification(ok=False, key_problem="the public key /d/audit-signing.pub is missing")
    tl.history_checked(*check_outcome(key))
    assert "not verified (the public key /d/audit-signing.pub is missing)" in history_note(tl, T0)
    assert "could not be verified (the public key" in report_note(tl, T0)
    bad = AuditVerification(ok=False, first_bad_seq=5, problem="record 5 is missing (deleted?)")
    tl.history_checked(*check_outcome(bad))
    tl.history_checked("checking")  # a profile switch reads another trail: this one failed
    tl.history_checked("ok")
    assert "FAILS VERIFICATION (record 5: record 5 is missing (deleted?))" in history_note(tl, T0)
