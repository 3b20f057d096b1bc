"""The local backend's mutating actions: validate -> policy -> step-up -> audit (fail
closed) -> apply -> audit the outcome."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from backends.audit_chain import first_break
from backends.clock import FrozenClock
from backends.contracts import ActionRefused
from backends.models import FaultRequest, FaultSpec, StageStatus, WindowState
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import local_sources


async def test_grant_revoke_with_chained_audit(frozen_clock: FrozenClock) -> None:
    src = local_sources(frozen_clock)
    secret = await enroll(src)
    grants, audit = src["grants"], src["audit"]
    g = await grants.grant(req(code_at(secret, frozen_clock.now())), ME)
    assert g.expires_at - g.granted_at == timedelta(minutes=30)
    snap = await grants.snapshot()
    assert g.id in {x.id for x in snap.grants}
    await grants.revoke(g.id, ME, "incident resolved, access no longer needed")
    assert g.id not in {x.id for x in (await grants.snapshot()).grants}
    records = await audit.records(limit=1000)
    mine = [(r.action, r.phase, r.outcome) for r in records if r.actor == "dave"]
    assert mine == [
        ("grant", "request", ""),
        ("grant", "outcome", "applied"),
        ("revoke", "request", ""),
        ("revoke", "outcome", "applied"),
    ]
    # request and outcome share one id
    grant_recs = [r for r in records if r.actor == "dave" and r.action == "grant"]
    assert grant_recs[0].id == grant_recs[1].id
    assert first_break(records) is None
    assert (await audit.verify()).ok
    await src.aclose()


async def test_expired_grant_is_inactive_on_read(frozen_clock: FrozenClock) -> None:
    src = local_sources(frozen_clock)
    secret = await enroll(src)
    g = await src["grants"].grant(
        req(code_at(secret, frozen_clock.now()), ttl=timedelta(minutes=1)), ME
    )
    frozen_clock.advance(61)
    assert g.id not in {x.id for x in (await src["grants"].snapshot()).grants}
    with pytest.raises(ActionRefused):
        await src["grants"].revoke(g.id, ME, "too late, it has expired already")
    await src.aclose()


async def test_fail_closed_when_audit_cannot_write(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    src = local_sources(frozen_clock)
    secret = await enroll(src)
    await src["grants"].snapshot()  # the demo grants
    count = len((await src["grants"].snapshot()).grants)
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    (rows_before,) = db.execute("SELECT COUNT(*) FROM grants").fetchone()
    db.execute(
        "CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    db.commit()
    with pytest.raises(ActionRefused, match="audit record could not be written"):
        await src["grants"].grant(req(code_at(secret, frozen_clock.now())), ME)
    assert len((await src["grants"].snapshot()).grants) == count
    (rows_after,) = db.execute("SELECT COUNT(*) FROM grants").fetchone()
    assert rows_after == rows_before  # nothing applied
    db.close()
    await src.aclose()


async def test_audit_edit_is_detected(frozen_clock: FrozenClock, data_dir: Path) -> None:
    src = local_sources(frozen_clock)
    secret = await enroll(src)
    await src["grants"].grant(req(code_at(secret, frozen_clock.now())), ME)
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    db.execute("DROP TRIGGER audit_append_only_u")  # the store refuses plain edits
    db.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    db.commit()
    db.close()
    broken = first_break(await src["audit"].records(limit=1000))
    assert broken is not None and broken[0] == 2
    await src.aclose()


async def test_fault_window_guardrails_and_halt(frozen_clock: FrozenClock) -> None:
    src = local_sources(frozen_clock)
    faults = src["faults"]
    spec = FaultSpec(target_host="docs-api", namespace="prod", delay_ms=800, delay_percent=30)
    with pytest.raises(ActionRefused, match="protected"):
        await faults.schedule(FaultRequest(spec=spec, reason="game day latency drill"), ME)
    spec = spec.model_copy(update={"namespace": "stage"})
    w = await faults.schedule(FaultRequest(spec=spec, reason="game day latency drill"), ME)
    assert w.state(frozen_clock.now()) is WindowState.ACTIVE
    assert await faults.halt_all(ME, "HALT: pager went off") == 1
    snap = await faults.snapshot()
    assert [x.state(frozen_clock.now()) for x in snap.windows] == [WindowState.ENDED]
    assert await faults.halt_all(ME, "HALT again") == 0  # idempotent
    await src.aclose()


async def test_a_second_rehearsal_while_one_runs_is_refused_saying_since_when(
    frozen_clock: FrozenClock,
) -> None:
    src = local_sources(frozen_clock)
    release = src["release"]
    snap = await release.snapshot()
    assert snap.rehearsal is None or snap.rehearsal.status is not StageStatus.RUNNING
    await release.trigger_rehearsal(ME, "rehearse the rollback on stage")
    running = (await release.snapshot()).rehearsal
    assert running is not None and running.status is StageStatus.RUNNING
    assert running.started_at is not None
    since = f"{running.run_id}, running since {running.started_at:%H:%M:%S}Z"
    with pytest.raises(ActionRefused, match=f"already running \\(run {since}\\)"):
        await release.trigger_rehearsal(ME, "a second drill on top of the first")
    records = await src["audit"].records(limit=50)
    assert [r.phase for r in records if r.action == "rollback-rehearsal"] == [
        "request",
        "outcome",
    ]
    await src.aclose()
