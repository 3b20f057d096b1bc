"""A grant the table says ended must have ended as the audit trail has it.

Only the grants listed (active) were checked against the trail. With sqlite3, alice's
grant marked revoked by root ("cleanup done now") left no revoke record, yet `audit
verify` said ok, and `grants list --json`, the timeline and the revoke dialog said
"revoked by root: cleanup done now". So too a real revoke's revoker or reason edited
afterwards, and a grant marked reaped (ended at its expiry by no one) an hour early.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backends.clock import FrozenClock
from backends.local.db import db_time
from backends.models import Grant
from tests.grant_helpers import ME
from tests.helpers import local_sources
from tests.test_grant_audit import two_grants


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC).replace(microsecond=0))


def sql(data_dir: Path, statement: str, *args: object) -> None:
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    db.execute(statement, args)
    db.commit()
    db.close()


async def verified(clock: FrozenClock) -> tuple[bool, str]:
    src = local_sources(clock)
    result = await src["audit"].verify()
    await src.aclose()
    return result.ok, result.problem


async def revoke(clock: FrozenClock, g: Grant, reason: str) -> None:
    src = local_sources(clock)
    await src["grants"].revoke(g.id, ME, reason)
    await src.aclose()


async def test_revokes_and_expiries_as_the_trail_has_them_verify(clock: FrozenClock) -> None:
    alice, bob = await two_grants(clock)
    await revoke(clock, alice, "INC-4711 over, access no longer needed")
    clock.advance(3600)  # bob's expires: reaped at his expiry
    src = local_sources(clock)
    snap = await src["grants"].snapshot()
    await src.aclose()
    assert not {alice.id, bob.id} & {g.id for g in snap.grants}  # bob's reaped
    assert await verified(clock) == (True, "")


async def test_a_revoke_written_by_hand_fails_verification(
    clock: FrozenClock, data_dir: Path
) -> None:
    alice, _ = await two_grants(clock)
    at = db_time(clock.now())
    sql(
        data_dir,
        "UPDATE grants SET revoked_at = ?, revoked_by = 'root', revoke_reason = 'cleanup done"
        " now' WHERE id = ?",
        at,
        alice.id,
    )
    ok, problem = await verified(clock)
    assert not ok
    assert problem == (
        "the grants table says 1 grant ended not as the audit trail has it (edited by hand?),"
        f" first {alice.id} (alice:sre-oncall): revoked by root with no revoke in the audit"
        " trail"
    )


async def test_a_revoke_whose_revoker_or_reason_was_edited_fails_verification(
    clock: FrozenClock, data_dir: Path
) -> None:
    alice, _ = await two_grants(clock)
    await revoke(clock, alice, "INC-4711 over, access no longer needed")
    sql(
        data_dir,
        "UPDATE grants SET revoked_by = 'carol', revoke_reason = 'by the book' WHERE id = ?",
        alice.id,
    )
    ok, problem = await verified(clock)
    assert not ok and problem.endswith(
        f"{alice.id} (alice:sre-oncall): its revoke differs from its audit record: revoked by,"
        " reason"
    ), problem


async def test_a_grant_marked_reaped_before_its_expiry_fails_verification(
    clock: FrozenClock, data_dir: Path
) -> None:
    _, bob = await two_grants(clock)
    early = db_time(clock.now())
    sql(
        data_dir,
        "UPDATE grants SET revoked_at = ?, expires_at = ?, revoked_by = 'reaper' WHERE id = ?",
        early,
        early,
        bob.id,
    )
    ok, problem = await verified(clock)
    assert not ok and problem.endswith(
        f"{bob.id} (bob:db-reader): ended before its audited expiry, with no revoke in the trail"
    ), problem


async def test_a_revoke_on_its_way_is_not_taken_for_one_written_by_hand(
    clock: FrozenClock, data_dir: Path
) -> None:
    """A revoke changes the row between its request record and its outcome: verify may
    read it then. Within 30 s of its request that is a revoke on its way; after, not."""
    alice, _ = await two_grants(clock)
    src = local_sources(clock)
    audit = src["audit"]
    real_append = audit.append
    ok_mid: list[tuple[bool, str]] = []

    async def append(actor: str, action: str, target: str, phase: str, **kw: object) -> object:
        if phase == "outcome" and action == "revoke":
            mid = await audit.verify()  # the row is revoked, its outcome not in yet
            ok_mid.append((mid.ok, mid.problem))
            clock.advance(31)
            late = await audit.verify()
            ok_mid.append((late.ok, late.problem))
            clock.advance(-31)
        return await real_append(actor, action, target, phase, **kw)

    audit.append = append
    await src["grants"].revoke(alice.id, ME, "INC-4711 over, access no longer needed")
    await src.aclose()
    assert ok_mid[0] == (True, "")
    assert not ok_mid[1][0] and "with no revoke in the audit trail" in ok_mid[1][1]
    assert await verified(clock) == (True, "")
