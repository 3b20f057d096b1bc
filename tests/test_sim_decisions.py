"""The simulator's access decisions (backends.local.sim.decisions): deny rates equal a
recount of the decisions under the ABAC rule, and the scheduled one-tenant deny spike."""

from __future__ import annotations

from datetime import timedelta

from backends.local.sim import PREFILL_S, Simulator
from backends.local.sim.decisions import spike_tenant
from backends.models import ATTR_KEYS, Decision
from tests.sim_helpers import START, at


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
