"""The simulator's Python copy of the ABAC rules (backends.local.sim.policy) against
policy/abac.rego, evaluated by the embedded interpreter: same outcome, same reason."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from backends.local.sim import Simulator
from backends.local.sim.decisions import DIMENSIONS
from backends.local.sim.policy import decide
from backends.models import Attrs, Decision
from backends.policy import PolicyEngine, policy_path
from backends.replay import input_of

START = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
# the simulator's values, and some the policy has never heard of
UNKNOWN = ("search", "hooli", "secret", "mars-1", "qa")
VALUES = {dim: (*vals, extra) for (dim, vals, _), extra in zip(DIMENSIONS, UNKNOWN, strict=True)}


@pytest.fixture(scope="module")
def engine() -> PolicyEngine:
    return PolicyEngine([policy_path("abac.rego")])


def rego(engine: PolicyEngine, attrs: Attrs, tenant: str, data_class: str) -> tuple[bool, str]:
    doc = {"attrs": attrs.model_dump(), "request": {"tenant": tenant, "data_class": data_class}}
    got = engine.evaluate("abac/decision", doc)
    return got["allow"], got["reason"]


def sweep() -> list[tuple[Attrs, str, str]]:
    """Every combination of the attribute values for a user asking for its own tenant and
    class, plus a seeded sample of admins and of requests for another tenant or class."""
    out = []
    for svc, ten, dc, reg, env in itertools.product(*VALUES.values()):
        a = Attrs(service=svc, tenant=ten, data_class=dc, region=reg, environment=env)
        out.append((a, ten, dc))
    rnd = random.Random(4)
    for _ in range(1500):
        svc, ten, dc, reg, env = (rnd.choice(v) for v in VALUES.values())
        role = rnd.choice(("user", "user", "admin", "db-reader"))
        a = Attrs(service=svc, tenant=ten, data_class=dc, region=reg, environment=env, role=role)
        out.append((a, rnd.choice(VALUES["tenant"]), rnd.choice(VALUES["data_class"])))
    return out


def test_the_python_mirror_agrees_with_the_rego(engine: PolicyEngine) -> None:
    cases = sweep()
    outcomes: Counter[bool] = Counter()
    rules: Counter[str] = Counter()
    for attrs, tenant, data_class in cases:
        mine = decide(attrs, tenant, data_class)
        assert mine == rego(engine, attrs, tenant, data_class), (attrs, tenant, data_class)
        outcomes[mine[0]] += 1
        if not mine[0]:
            rules.update(part.split(":")[0] for part in mine[1].split("; "))
    # the sweep exercises both outcomes and every rule, so agreement means something
    assert outcomes[True] > 100 and outcomes[False] > 100
    assert set(rules) == {
        "unregistered_service",
        "tenant_mismatch",
        "data_class_mismatch",
        "unknown_region",
        "region_not_certified",
        "data_residency",
        "unknown_environment",
        "environment_data_class",
    }


def simulated(seed: int, seconds: float) -> list[Decision]:
    sim = Simulator(seed=seed, start=START)
    seen: list[Decision] = []
    sim.decision_hook = seen.append
    sim.advance_to(START + timedelta(seconds=seconds))
    return seen


def test_simulated_decisions_are_the_policys(engine: PolicyEngine) -> None:
    seen = simulated(7, 120)
    assert len(seen) > 4000
    for d in seen:
        got = engine.evaluate("abac/decision", input_of(d))
        assert (d.allowed, d.reason) == (got["allow"], got["reason"]), d


def test_region_and_environment_denials_in_the_simulation_are_seeded() -> None:
    seen = simulated(11, 300)
    denied = [d for d in seen if not d.allowed]
    rules = Counter(p.split(":")[0] for d in denied for p in d.reason.split("; "))
    n = len(seen)
    # a visible share of the traffic, without drowning the tenant spikes
    for rule in ("data_residency", "region_not_certified", "environment_data_class"):
        assert 0.001 < rules[rule] / n < 0.04, (rule, rules[rule], n)
    assert 0.05 < len(denied) / n < 0.2
    again = simulated(11, 300)
    assert [(d.decision_id, d.allowed, d.reason) for d in again] == [
        (d.decision_id, d.allowed, d.reason) for d in seen
    ]
    other = simulated(12, 300)
    assert [d.reason for d in other if not d.allowed] != [d.reason for d in denied]
