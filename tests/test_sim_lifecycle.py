"""The deterministic platform simulator (backends.local.sim) as a whole: every snapshot
filled at start, the same seed giving the same snapshots, and long gaps jumped over."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backends.local.sim import PREFILL_S, Simulator
from backends.models import Decision, HealthState
from tests.sim_helpers import DOCS, SEARCH, START, at, window


def all_snapshots(sim: Simulator) -> tuple[object, ...]:
    return (sim.access(), sim.latency(), sim.release())


def test_every_snapshot_is_filled_at_start() -> None:
    sim = Simulator(start=START)
    assert sim.now == START
    acc, lat, rel = sim.access(), sim.latency(), sim.release()
    for snap in (acc, lat, rel):
        assert snap.observed_at == START
        assert snap.source == "local"
        assert snap.health.state is HealthState.OK and snap.health.last_ok_at == START
    assert acc.total > 0 and 0 < acc.deny_rate < 1 and acc.baseline_rate > 0
    assert len(acc.history) >= PREFILL_S // 5 - 1 and acc.recent_denied
    assert {(r.dimension, r.value) for r in acc.rows} >= {
        ("tenant", "acme"),
        ("region", "us-east-1"),
    }
    assert all(len(r.history) >= PREFILL_S // 5 - 1 for r in acc.rows)
    assert [r.route for r in lat.routes] == [DOCS, SEARCH]
    for r in lat.routes:
        assert (
            r.p999_ms is not None and not r.low_confidence and len(r.history) >= PREFILL_S // 5 - 1
        )
        assert r.limit is not None and r.inflight is not None and r.inflight > 0
    assert [c.layer for c in lat.cache] == ["edge", "app", "db"]
    assert all(0.5 < c.hit_ratio < 1 for c in lat.cache)
    assert rel.current is not None and rel.recent and rel.rehearsal is not None


def test_default_start_is_now() -> None:
    before = datetime.now(UTC)
    sim = Simulator(seed=1)
    assert before <= sim.now <= datetime.now(UTC)
    with pytest.raises(ValueError):
        Simulator(start=datetime(2026, 3, 16))  # noqa: DTZ001 - naive on purpose


def test_same_seed_and_targets_give_identical_snapshots() -> None:
    fw = window("gateway", 20, 50, delay_ms=300, delay_percent=20, abort_percent=2)

    def run(seed: int, steps: list[float]) -> list[tuple[object, ...]]:
        sim = Simulator(seed=seed, start=START)
        sim.set_faults([fw])
        out = [all_snapshots(sim)]
        for s in steps:
            sim.advance_to(at(s))
            if s == 30:
                sim.trigger_rehearsal()
            out.append(all_snapshots(sim))
        return out

    steps = [1, 2.5, 3.1, 10, 30, 45.75, 90]
    a, b = run(35, steps), run(35, steps)
    assert a == b
    assert run(36, steps) != a
    # the state is a function of the ticks run, not of the targets that got there
    assert run(35, [30, 90])[-1] == a[-1]


def test_long_gap_jumps_instead_of_simulating_every_tick() -> None:
    sim = Simulator(start=START, decisions_per_s=40.0)
    seen: list[Decision] = []
    sim.decision_hook = seen.append
    sim.advance_to(at(10 * 3600))
    assert len(seen) == pytest.approx(PREFILL_S * 40.0, abs=40)
    assert sim.now == at(10 * 3600)
    acc, lat = sim.access(), sim.latency()
    assert acc.total > 0 and len(acc.history) >= PREFILL_S // 5 - 1
    assert all(not r.low_confidence and len(r.history) >= PREFILL_S // 5 - 1 for r in lat.routes)
    assert min(d.timestamp for d in seen) >= at(10 * 3600 - PREFILL_S - 1)


def test_ticks_one_by_one_or_a_second_at_a_time_simulate_the_same() -> None:
    """Hooks make the simulator run tick by tick (their calls interleave); without them it
    runs each second's ticks in one go. Either way the same simulation, decision by decision."""
    plain, hooked = Simulator(start=START), Simulator(start=START)
    hooked.sample_hook = lambda route, t, ms, err: None
    hooked.decision_hook = lambda d: None
    for s in (0.3, 7.25, 61, 61.5, 400, 401.75):
        for sim in (plain, hooked):
            sim.advance_to(at(s))
        assert all_snapshots(plain) == all_snapshots(hooked)
        assert plain.decisions.recent_decisions(5000) == hooked.decisions.recent_decisions(5000)
