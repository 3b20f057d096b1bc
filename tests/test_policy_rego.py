"""The Rego policies' own tests (policy/*_test.rego), run from pytest with the embedded
interpreter, and proof that they can fail: a weakened policy makes them fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.policy import PolicyEngine, RegoTestResult, policy_path, run_tests

POLICIES = {
    "breakglass": ("breakglass.rego", "breakglass_test.rego"),
    "abac": ("abac.rego", "abac_test.rego"),
}


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_rego_tests_pass(name: str) -> None:
    results = run_tests([policy_path(f) for f in POLICIES[name]])
    assert len(results) >= 8
    failed = [(r.name, r.detail) for r in results if not r.passed]
    assert not failed


def weakened(tmp_path: Path, name: str, old: str, new: str) -> list[RegoTestResult]:
    src, test = POLICIES[name]
    text = policy_path(src).read_text()
    assert old in text
    (tmp_path / src).write_text(text.replace(old, new))
    return run_tests([tmp_path / src, policy_path(test)])


def failing(results: list[RegoTestResult]) -> set[str]:
    return {r.name for r in results if not r.passed}


def test_breakglass_tests_catch_a_weakened_policy(tmp_path: Path) -> None:
    assert "test_ttl_over_cap_refused" in failing(
        weakened(tmp_path, "breakglass", '"db-reader": 7200', '"db-reader": 72000')
    )
    assert "test_self_grant_of_other_role_refused" in failing(
        weakened(
            tmp_path,
            "breakglass",
            '{"sre-oncall", "db-reader"}',
            '{"sre-oncall", "db-reader", "prod-deployer"}',
        )
    )


def test_abac_tests_catch_a_grant_honoured_after_expiry(tmp_path: Path) -> None:
    results = weakened(tmp_path, "abac", "time.now_ns() < grant.expires_at_ns", "true")
    assert "test_expired_grant_denies" in failing(results)


def test_abac_allow_evaluated_with_pushed_grants() -> None:
    """The same rule as the OPA server evaluates: live grant allows, expired does not."""
    import time

    now = time.time_ns()
    grants = {
        "live": {"subject": "alice", "role": "db-reader", "expires_at_ns": now + 60 * 10**9},
        "dead": {"subject": "bob", "role": "db-reader", "expires_at_ns": now - 1},
    }
    engine = PolicyEngine([policy_path("abac.rego")], data={"breakglass": {"grants": grants}})

    def allow(who: str) -> object:
        return engine.evaluate("abac/allow", {"subject": who, "attrs": {"role": "db-reader"}})

    assert allow("alice") is True
    assert allow("bob") is False
