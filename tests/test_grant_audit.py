"""A listed grant must be one the audit trail records, as it records it.

The grants table was never checked against the trail: with sqlite3, a grant's role made
cluster-admin, its expiry pushed past the 1 h cap, or a `mallory ... cluster-admin ...
granted by carol` row inserted showed in `grants list` and the pane like any other, and
`audit verify` said ok. Now each is marked (`!`, and why), `grants list` (and `--json`)
exits 1 saying how many, verify reports it (exit 1) and the dashboard raises an alert.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backends.clock import FrozenClock
from backends.local.db import db_time
from backends.models import AlertKind, Grant
from tests.conftest import watchfloor_cmd
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui.panes.grants import GrantsPane
from tui.screens.grant_details import GrantDetailsScreen

NOT_AUDITED = "not in the audit trail"


@pytest.fixture
def clock() -> FrozenClock:
    """Now: `watchfloor grants list` runs on the system clock, and lists what is active."""
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


def wf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*watchfloor_cmd(), *args], capture_output=True, text=True, timeout=60)


async def two_grants(clock: FrozenClock) -> list[Grant]:
    """alice (sre-oncall) and bob (db-reader), granted by dave for 30 minutes, with the
    simulator's demo grants beside them (audited too)."""
    src = local_sources(clock)
    await src["grants"].snapshot()  # the demo grants, into an empty store
    secret = await enroll(src)
    alice = await src["grants"].grant(req(code_at(secret, clock.now())), ME)
    clock.advance(31)
    bob = await src["grants"].grant(
        req(code_at(secret, clock.now()), subject="bob", role="db-reader"), ME
    )
    await src.aclose()
    return [alice, bob]


def tamper(data_dir: Path, alice: Grant, bob: Grant) -> None:
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    db.execute("UPDATE grants SET role = 'cluster-admin' WHERE id = ?", (alice.id,))
    later = db_time(bob.expires_at + timedelta(hours=3))
    db.execute("UPDATE grants SET expires_at = ? WHERE id = ?", (later, bob.id))
    db.execute(
        "INSERT INTO grants (id, subject, role, reason, granted_by, granted_at, expires_at)"
        " VALUES ('feedfacecafe', 'mallory', 'cluster-admin', 'INC-4711 gateway is on fire',"
        " 'carol', ?, ?)",
        (db_time(alice.granted_at), db_time(alice.granted_at + timedelta(minutes=50))),
    )
    db.commit()
    db.close()


async def snapshot_grants(clock: FrozenClock) -> dict[str, Grant]:
    src = local_sources(clock)
    snap = await src["grants"].snapshot()
    await src.aclose()
    return {g.subject: g for g in snap.grants}


async def test_audited_grants_are_not_marked(clock: FrozenClock) -> None:
    await two_grants(clock)
    listed = await snapshot_grants(clock)
    assert len(listed) == 5  # the three demo grants too
    assert {name: g.audit_problem for name, g in listed.items() if g.audit_problem} == {}
    proc = wf("grants", "list")
    assert proc.returncode == 0 and "!" not in proc.stdout and proc.stderr == ""


async def test_grants_edited_or_inserted_by_hand_are_marked(
    clock: FrozenClock, data_dir: Path
) -> None:
    alice, bob = await two_grants(clock)
    tamper(data_dir, alice, bob)
    listed = await snapshot_grants(clock)
    assert listed["alice"].audit_problem == "differs from its audit record: role"
    assert listed["bob"].audit_problem == "differs from its audit record: expiry"
    assert listed["mallory"].audit_problem == NOT_AUDITED
    assert not listed["alice@example.com"].audit_problem  # a demo grant, as audited

    # a script checks the status: a grant not as audited is not a clean list (it exited 0)
    proc = wf("grants", "list")
    assert proc.returncode == 1, proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines()[1:]}
    assert f"! {NOT_AUDITED}" in rows["!feedfacecafe"]
    assert "! differs from its audit record: role" in rows[f"!{alice.id}"]
    assert "3 grants listed are not as the audit trail has them (marked !)" in proc.stderr
    assert "`watchfloor audit verify` explains" in proc.stderr
    # the same with --json: the document as ever, the count on stderr, exit 1
    as_json = wf("grants", "list", "--json")
    assert as_json.returncode == 1, as_json.stderr
    problems = {g["subject"]: g["audit_problem"] for g in json.loads(as_json.stdout)["grants"]}
    assert problems["mallory"] == NOT_AUDITED and problems["alice@example.com"] == ""
    assert "3 grants listed are not as the audit trail has them" in as_json.stderr
    assert "`watchfloor audit verify` explains" in as_json.stderr

    verify = wf("audit", "verify")
    assert verify.returncode == 1, verify.stdout + verify.stderr
    said = "TAMPERED: trail: the grants table lists 3 grants not as the audit trail has them"
    assert said in verify.stderr
    assert "first feedfacecafe (mallory:cluster-admin, granted by carol) is not in" in (
        verify.stderr
    )


def pane_text(pane: GrantsPane) -> str:
    gl = pane.grant_list()
    return "\n".join(gl.render_line(y).text for y in range(gl.size.height))


async def test_the_pane_marks_them_and_the_dashboard_raises_an_alert(
    clock: FrozenClock, data_dir: Path
) -> None:
    alice, bob = await two_grants(clock)
    tamper(data_dir, alice, bob)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: "mallory" in pane_text(pane), what="the grants")
        lines = pane_text(pane).splitlines()
        marked = {x.split()[3] for x in lines if " ! " in x}  # id, countdown, !, subject
        assert marked == {"alice", "bob", "mallory"}, lines
        assert "3 ! not as audited" in str(pane.border_title)
        # the whole story in its details: the row under the cursor, Enter
        await pilot.press("4")
        picked = [g.subject for g in pane.grant_list().grants].index("mallory")
        await pilot.press(*["down"] * picked, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantDetailsScreen), what="details")
        details = app.screen
        assert isinstance(details, GrantDetailsScreen)
        said = {label: str(value) for label, value in details.rows()}
        assert said["subject"] == "mallory" and said["audit"] == f"! {NOT_AUDITED}"
        await pilot.press("escape")

        def unaudited() -> list[Any]:
            return [a for a in app.alert_strip.alerts if a.kind is AlertKind.GRANT_UNAUDITED]

        await wait_for(pilot, lambda: len(unaudited()) == 3, what="the alerts")
        messages = {a.message for a in unaudited()}
        assert f"mallory holds cluster-admin: {NOT_AUDITED} (granted by carol)" in messages


async def test_a_poll_reads_only_the_records_appended_since_the_last(
    clock: FrozenClock,
) -> None:
    """The trail's grant records are indexed once; a poll reads only what was appended
    since (the grants pane polls every second or so)."""
    await two_grants(clock)
    src = local_sources(clock)
    store = src["grants"].rt.store
    read: list[str] = []
    store._db.set_trace_callback(read.append)
    await src["grants"].snapshot()
    first = [sql for sql in read if "FROM audit " in sql]
    assert first and all("seq > 0" in sql for sql in first), first
    read.clear()
    await src["grants"].snapshot()
    again = [sql for sql in read if "FROM audit " in sql and "details" in sql]
    assert again == [], again  # nothing appended since: no record read
    await src.aclose()
