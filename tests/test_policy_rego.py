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


REGION_DENIALS = (
    "test_restricted_in_uncertified_region_denied",
    "test_confidential_outside_home_region_denied",
    "test_tenant_without_home_gets_no_resident_data",
    "test_unknown_region_denied",
    "test_missing_region_denied",
)
ENVIRONMENT_DENIALS = (
    "test_restricted_in_stage_denied",
    "test_confidential_in_dev_denied",
    "test_unknown_environment_denied",
    "test_missing_environment_denied",
)


def abac_tests_against(policy_text: str, tmp_path: Path, names: tuple[str, ...]) -> set[str]:
    """Which of these abac_test rules fail against this policy text. Only the named rules
    are queried: each query re-plans the whole package (about 0.1 s)."""
    (tmp_path / "abac.rego").write_text(policy_text)
    engine = PolicyEngine([tmp_path / "abac.rego", policy_path("abac_test.rego")])
    return {n for n in names if engine.query(f"data.abac_test.{n}") is not True}


def test_abac_tests_catch_the_region_and_environment_rules_removed(tmp_path: Path) -> None:
    text = policy_path("abac.rego").read_text()
    start, end = text.index("# --- region"), text.index("# --- break-glass")
    names = (*REGION_DENIALS, *ENVIRONMENT_DENIALS, "test_gateway_other_tenant_denied")
    failed = abac_tests_against(text[:start] + text[end:], tmp_path, names)
    assert failed == set(REGION_DENIALS) | set(ENVIRONMENT_DENIALS)  # the rest still holds


@pytest.mark.parametrize(
    ("old", "new", "caught"),
    [
        # each deny rule dropped on its own
        (
            "not input.attrs.region in certified",
            "false",
            "test_restricted_in_uncertified_region_denied",
        ),
        ("not resident\n", "false\n", "test_confidential_outside_home_region_denied"),
        ("not resident\n", "false\n", "test_tenant_without_home_gets_no_resident_data"),
        ("not input.attrs.region in regions", "false", "test_unknown_region_denied"),
        ("not input.attrs.region in regions", "false", "test_missing_region_denied"),
        ("not input.attrs.data_class in held", "false", "test_restricted_in_stage_denied"),
        ("not input.attrs.data_class in held", "false", "test_confidential_in_dev_denied"),
        (
            "not environment_classes[input.attrs.environment]",
            "false",
            "test_unknown_environment_denied",
        ),
        (
            "not environment_classes[input.attrs.environment]",
            "false",
            "test_missing_environment_denied",
        ),
        # and the allow side: each rule made too strict
        (
            '"restricted": {"eu-west-1", "us-east-1"}',
            '"restricted": {"eu-west-1"}',
            "test_restricted_in_certified_region_allowed",
        ),
        (
            '"initech": {"us-east-1", "ap-south-1"}',
            '"initech": {"us-east-1"}',
            "test_confidential_in_home_region_allowed",
        ),
        (
            '{"confidential", "restricted"}',
            '{"public", "confidential", "restricted"}',
            "test_public_data_served_from_any_region",
        ),
        (
            '"stage": {"public", "internal", "confidential"}',
            '"stage": {"public", "internal"}',
            "test_confidential_in_stage_allowed",
        ),
        ('"dev": {"public", "internal"}', '"dev": {"public"}', "test_internal_in_dev_allowed"),
        (
            '"prod": {"public", "internal", "confidential", "restricted"}',
            '"prod": {"public", "internal", "confidential"}',
            "test_restricted_in_prod_allowed",
        ),
    ],
)
def test_abac_tests_catch_each_region_and_environment_rule(
    tmp_path: Path, old: str, new: str, caught: str
) -> None:
    text = policy_path("abac.rego").read_text()
    assert text.count(old) == 1
    assert abac_tests_against(text, tmp_path, (caught,)) == set()
    assert abac_tests_against(text.replace(old, new), tmp_path, (caught,)) == {caught}


def test_abac_decision_names_the_failed_rules() -> None:
    """The reason the Access pane shows, as OPA would log it with `abac/decision`."""
    engine = PolicyEngine([policy_path("abac.rego")])
    attrs = {
        "role": "user",
        "service": "docs-api",
        "tenant": "globex",
        "data_class": "restricted",
        "region": "ap-south-1",
        "environment": "stage",
    }
    request = {"tenant": "globex", "data_class": "restricted"}
    got = engine.evaluate("abac/decision", {"attrs": attrs, "request": request})
    assert got["allow"] is False
    assert got["reason"] == (
        "data_residency: globex restricted data is not homed in ap-south-1; "
        "environment_data_class: stage holds no restricted data; "
        "region_not_certified: restricted data is not served from ap-south-1"
    )
    attrs.update(region="us-east-1", environment="prod")
    assert engine.evaluate("abac/decision", {"attrs": attrs, "request": request}) == {
        "allow": True,
        "reason": "all attribute rules pass",
    }
