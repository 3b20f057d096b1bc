"""The simulator's release train (backends.local.sim.release): a failed cut within the
expected horizon, and a triggered rollback rehearsal."""

from __future__ import annotations

import re
from datetime import timedelta

from backends.local.sim import Simulator
from backends.local.sim.release import CUT_INTERVAL_S, FAIL_EVERY, STAGES
from backends.models import StageStatus, Verification
from tests.sim_helpers import START, at


def test_release_train_reaches_a_failed_cut() -> None:
    sim = Simulator(start=START)
    failed = None
    horizon = int(FAIL_EVERY * CUT_INTERVAL_S / 60) + 4
    for minute in range(1, horizon + 1):
        sim.advance_to(at(60 * minute))
        rel = sim.release()
        assert rel.current is not None
        assert [s.name for s in rel.current.stages] == list(STAGES)
        assert all(r.finished_at is not None for r in rel.recent)
        assert [r.started_at for r in rel.recent] == sorted(
            (r.started_at for r in rel.recent), reverse=True
        )
        assert len(rel.recent) <= 5
        if rel.current.status is StageStatus.FAILURE:
            failed = rel.current
            break
    assert failed is not None, f"no failed cut within {horizon} simulated minutes"
    assert re.fullmatch(r"v2026\.03\.16-m\d+", failed.version)
    assert int(failed.version.rsplit("m", 1)[1]) % FAIL_EVERY == 0
    statuses = [s.status for s in failed.stages]
    bad = STAGES.index("verify provenance")
    assert statuses[:bad] == [StageStatus.SUCCESS] * bad
    assert statuses[bad] is StageStatus.FAILURE
    assert statuses[bad + 1 :] == [StageStatus.SKIPPED] * (len(STAGES) - bad - 1)
    assert failed.artifacts["provenance"] is Verification.FAILED
    assert failed.artifacts["digests"] is Verification.VERIFIED
    ok = next(r for r in sim.release().recent if r.status is StageStatus.SUCCESS)
    assert set(ok.artifacts.values()) == {Verification.VERIFIED}
    bounds = [t for s in ok.stages for t in (s.started_at, s.finished_at)]
    assert bounds == sorted(b for b in bounds if b is not None)


def test_trigger_rehearsal_gives_a_new_result() -> None:
    sim = Simulator(start=START)
    t = 0
    while True:  # wait for a quiet moment: the current cut has finished
        rel = sim.release()
        assert rel.current is not None
        if rel.current.status is not StageStatus.RUNNING:
            break
        t += 5
        sim.advance_to(at(t))
    old = rel.rehearsal
    triggered_at = sim.now
    sim.trigger_rehearsal()
    new = sim.release().rehearsal
    assert new is not None and new != old
    assert new.status is StageStatus.RUNNING and new.finished_at is None
    sim.advance_to(triggered_at + timedelta(seconds=45))
    done = sim.release().rehearsal
    assert done is not None and done.run_id == new.run_id
    assert done.status is StageStatus.SUCCESS
    assert done.finished_at is not None
    assert triggered_at < done.finished_at <= triggered_at + timedelta(seconds=45)
