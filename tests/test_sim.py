"""The deterministic platform simulator (backends.local.sim): pure logic, tested directly."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from backends.local.sim import PREFILL_S, Simulator
from backends.local.sim.decisions import spike_tenant
from backends.local.sim.faults import routes_for_target
from backends.local.sim.gateway import LIMIT_MAX, LIMIT_MIN, ROUTES, adapt_limit
from backends.local.sim.release import CUT_INTERVAL_S, FAIL_EVERY, STAGES
from backends.local.sim.window import CounterWindow, SampleWindow, exact_quantile
from backends.models import (
    ATTR_KEYS,
    Decision,
    FaultSpec,
    FaultWindow,
    HealthState,
    RouteLatency,
    StageStatus,
    Verification,
)
from backends.quantile import DEFAULT_ALPHA

START = datetime(2026, 3, 16, 9, 0, 0, tzinfo=UTC)
DOCS, SEARCH = "GET /docs/:id", "GET /search"


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def route(sim: Simulator, name: str) -> RouteLatency:
    return next(r for r in sim.latency().routes if r.route == name)


def window(target: str, start_s: float, end_s: float, **spec: float) -> FaultWindow:
    return FaultWindow(
        id=f"fw-{target}",
        spec=FaultSpec(target_host=target, namespace="stage", **spec),
        owner="test",
        reason="game day drill",
        starts_at=at(start_s),
        ends_at=at(end_s),
    )


def all_snapshots(sim: Simulator) -> tuple[object, ...]:
    return (sim.access(), sim.latency(), sim.release())


# --- windows -------------------------------------------------------------------------------


def test_counter_window_matches_brute_force() -> None:
    rng = random.Random(1)
    w = CounterWindow(3, 10)
    events: list[tuple[int, int, bool]] = []
    bucket = 0
    for _ in range(3000):
        if rng.random() < 0.1:
            bucket += rng.choice((1, 1, 1, 2, 15))
            w.rotate_to(bucket)
        key, hit = rng.randrange(3), rng.random() < 0.3
        w.cur_total[key] += 1
        w.cur_hits[key] += hit
        events.append((bucket, key, hit))
        if rng.random() < 0.05:
            inside = [e for e in events if e[0] > bucket - 10]
            assert w.totals() == [sum(1 for e in inside if e[1] == k) for k in range(3)]
            assert w.hits() == [sum(1 for e in inside if e[1] == k and e[2]) for k in range(3)]
            tot, hit_ = w.last_closed(5)
            last5 = [e for e in events if bucket - 5 <= e[0] < bucket]
            assert tot == [sum(1 for e in last5 if e[1] == k) for k in range(3)]
            assert hit_ == [sum(1 for e in last5 if e[1] == k and e[2]) for k in range(3)]


def test_sample_window_and_quantile_match_brute_force() -> None:
    rng = random.Random(2)
    w = SampleWindow(6)
    events: list[tuple[int, float]] = []
    bucket = 0
    for _ in range(2000):
        if rng.random() < 0.05:
            bucket += rng.choice((1, 1, 3, 9))
            w.rotate_to(bucket)
        x = rng.lognormvariate(3, 1)
        w.cur.append(x)
        events.append((bucket, x))
    inside = sorted(x for b, x in events if b > bucket - 6)
    assert sorted(w.values()) == inside
    assert len(w) == len(inside)
    for q in (0.5, 0.99, 0.999):
        assert exact_quantile(w.values(), q) == inside[min(len(inside) - 1, int(len(inside) * q))]
    assert exact_quantile([], 0.999) is None


def test_adapt_limit_follows_the_plan_rule() -> None:
    fast = [100.0] * 99 + [5000.0]  # sorted[floor(100 * .99)] = 5000 -> shrink
    assert adapt_limit(fast, 200) == 190
    assert adapt_limit([100.0] * 200, 200) == 210
    assert adapt_limit([1000.0] * 50, 200) == 200  # between 800 and 1500: hold
    assert adapt_limit([2000.0] * 10, LIMIT_MIN) == LIMIT_MIN
    assert adapt_limit([10.0] * 10, LIMIT_MAX) == LIMIT_MAX
    assert adapt_limit([], 123) == 123


def test_fault_targets_map_to_routes() -> None:
    assert routes_for_target("docs-api") == (DOCS,)
    assert routes_for_target("search-api") == (SEARCH,)
    assert routes_for_target(SEARCH) == (SEARCH,)
    assert routes_for_target("gateway") == ROUTES
    assert routes_for_target("billing") == ()


# --- simulator ------------------------------------------------------------------------------


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


def test_fault_window_raises_latency_and_errors_on_its_route_only() -> None:
    sim, twin = Simulator(start=START), Simulator(start=START)
    fw = window("docs-api", 60, 180, delay_ms=800, delay_percent=30, abort_percent=5)
    sim.set_faults([fw])
    for s in (sim, twin):
        s.advance_to(at(60))
    before = route(sim, DOCS)
    assert before == route(twin, DOCS)  # the window is not active yet
    assert before.p999_ms is not None and before.p999_ms < 800
    assert before.error_rate < 0.03

    for s in (sim, twin):
        s.advance_to(at(180))  # the whole 60 s window lies inside the fault window
    during = route(sim, DOCS)
    assert during.p999_ms is not None and during.p999_ms > 800
    # ~5 % aborts on top of the base error rate, within 4 binomial sigmas
    expected = 0.05 + before.error_rate
    sigma = (expected * (1 - expected) / during.observations) ** 0.5
    assert during.error_rate > 0.03
    assert abs(during.error_rate - expected) < 4 * sigma
    # the other route draws from its own stream: exactly what it would have been
    assert route(sim, SEARCH) == route(twin, SEARCH)

    for s in (sim, twin):
        s.advance_to(at(180 + 60))
    after, clean = route(sim, DOCS), route(twin, DOCS)
    assert after.p999_ms is not None and after.p999_ms < 800 and after.error_rate < 0.03
    assert after.model_dump(exclude={"history"}) == clean.model_dump(exclude={"history"})
    assert max(after.history) > 800  # the regression is visible in the history


def test_adaptive_limit_shrinks_under_slow_route_and_grows_back() -> None:
    sim = Simulator(start=START)
    sim.set_faults([window(SEARCH, 10, 70, delay_ms=2000, delay_percent=100)])
    sim.advance_to(at(10))
    before = route(sim, SEARCH)
    assert before.limit == LIMIT_MAX and before.blocked == 0
    sim.advance_to(at(40))
    during = route(sim, SEARCH)
    # p99 > 1500 every second: the limit drops by 10 per second from LIMIT_MAX
    assert during.limit is not None and during.limit <= LIMIT_MAX - 10 * 25
    assert during.limit >= LIMIT_MIN
    sim.advance_to(at(70))
    end = route(sim, SEARCH)
    assert end.limit == LIMIT_MIN
    assert end.blocked > 0 and end.inflight == end.limit  # Little's law demand > limit
    assert route(sim, DOCS).limit == LIMIT_MAX  # the other route is untouched
    sim.advance_to(at(75))
    assert (route(sim, SEARCH).limit or 0) > LIMIT_MIN
    sim.advance_to(at(70 + 60))
    after = route(sim, SEARCH)
    assert after.limit == LIMIT_MAX and after.blocked == 0


def test_latency_window_equals_a_recount_of_the_samples() -> None:
    sim = Simulator(start=START)
    seen: list[tuple[str, datetime, float, bool]] = []
    sim.sample_hook = lambda r, t, ms, err: seen.append((r, t, ms, err))
    sim.set_faults([window("gateway", 30, 50, delay_ms=500, delay_percent=10, abort_percent=3)])
    sim.advance_to(at(75))
    now = sim.now
    for name in ROUTES:
        inside = [
            (ms, err)
            for r, t, ms, err in seen
            if r == name and now - timedelta(seconds=60) <= t < now
        ]
        got = route(sim, name)
        lat = sorted(ms for ms, _ in inside)
        assert got.observations == len(lat) >= 1000
        # p99.9 comes from a quantile sketch: within its relative error of the exact value
        # (plus the 0.1 ms rounding of the snapshot), and the bucket it names holds it
        exact = lat[int(len(lat) * 0.999)]
        assert got.p999_ms is not None
        assert abs(got.p999_ms - exact) <= DEFAULT_ALPHA * exact + 0.05
        assert got.p999_low_ms is not None and got.p999_high_ms is not None
        assert got.p999_low_ms - 0.05 <= exact <= got.p999_high_ms + 0.05
        assert got.error_rate == sum(e for _, e in inside) / len(inside)


def test_deny_rates_equal_a_recount_of_the_decisions() -> None:
    sim = Simulator(start=START)
    seen: list[Decision] = []
    sim.decision_hook = seen.append
    sim.advance_to(at(600))
    now = sim.now
    inside = [d for d in seen if now - timedelta(seconds=60) <= d.timestamp < now]
    acc = sim.access()
    assert acc.total == len(inside)
    assert acc.denied == sum(not d.allowed for d in inside)
    assert acc.deny_rate == acc.denied / acc.total
    # the rule (policy/abac.rego over the simulator's values), written out independently
    homes = {
        "acme": "eu-west-1 us-east-1",
        "globex": "us-east-1",
        "initech": "us-east-1 ap-south-1",
    }
    held = {"dev": "public internal", "stage": "public internal confidential"}
    for d in seen:
        a = d.attrs
        expect = a.role == "admin" or (
            a.tenant == d.request_tenant
            and a.data_class == d.request_data_class
            and not (a.data_class == "restricted" and a.region == "ap-south-1")
            and not (
                a.data_class in ("confidential", "restricted")
                and a.region not in homes.get(a.tenant, "eu-west-1")
            )
            and a.data_class in held.get(a.environment, a.data_class)
        )
        assert d.allowed == expect
    reasons = {r.split(":")[0] for d in seen if not d.allowed for r in d.reason.split("; ")}
    assert {"data_residency", "region_not_certified", "environment_data_class"} <= reasons
    for row in acc.rows:
        mine = [d for d in inside if getattr(d.attrs, row.dimension) == row.value]
        assert row.total == len(mine)
        assert row.denied == sum(not d.allowed for d in mine)
    for dim in ATTR_KEYS:
        rows = [r for r in acc.rows if r.dimension == dim]
        assert sum(r.total for r in rows) == acc.total
        assert sum(r.denied for r in rows) == acc.denied
    keys = [(-r.rate, -r.denied) for r in acc.rows]
    assert keys == sorted(keys)
    denied = [d for d in seen if not d.allowed]
    assert list(acc.recent_denied) == denied[::-1][:50]
    assert len({d.decision_id for d in seen}) == len(seen)
    # baseline (outside spikes) is 5-10 % denied
    origin = START - timedelta(seconds=PREFILL_S)
    calm = [d for d in seen if spike_tenant((d.timestamp - origin).total_seconds()) is None]
    calm_rate = sum(not d.allowed for d in calm) / len(calm)
    assert 0.05 <= calm_rate <= 0.10


def test_deny_spike_for_one_tenant() -> None:
    sim = Simulator(start=START)
    # find the next spike from the schedule, then look at the window right after it
    t = 0.0
    while spike_tenant(PREFILL_S + t) is None:
        t += 1
    tenant = spike_tenant(PREFILL_S + t)
    while spike_tenant(PREFILL_S + t) is not None:
        t += 1
    sim.advance_to(at(t))
    acc = sim.access()
    tenant_rows = [r for r in acc.rows if r.dimension == "tenant"]
    assert tenant_rows[0].value == tenant
    assert tenant_rows[0].rate > 3 * tenant_rows[1].rate
    assert acc.deny_rate > acc.baseline_rate
    # the 5 s buckets inside the spike stand well above the (spike-proof) baseline
    assert min(sorted(acc.history[-6:])[-5:]) > 1.5 * acc.baseline_rate
    assert 0.05 <= acc.baseline_rate <= 0.10


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
