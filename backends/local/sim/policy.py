"""The simulator's copy of policy/abac.rego's attribute rules, in Python (pure, no I/O).

The simulated decisions must be the ones the shipped policy would make, so that a dry-run
of policy/abac.rego over them flips nothing. tests/access/test_policy_mirror.py checks
that this module and the Rego agree, outcome and reason, on a sweep of inputs: change
both together. Break-glass grants are not modelled (the simulator issues none).
"""

from __future__ import annotations

from backends.models import Attrs

SERVICES = frozenset({"gateway", "docs-api", "search-api", "billing"})
REGIONS = frozenset({"eu-west-1", "us-east-1", "ap-south-1"})
CERTIFIED_REGIONS: dict[str, frozenset[str]] = {
    "restricted": frozenset({"eu-west-1", "us-east-1"}),
}
RESIDENT_CLASSES = frozenset({"confidential", "restricted"})
TENANT_HOME_REGIONS: dict[str, frozenset[str]] = {
    "acme": frozenset({"eu-west-1", "us-east-1"}),
    "globex": frozenset({"us-east-1"}),
    "initech": frozenset({"us-east-1", "ap-south-1"}),
    "umbrella": frozenset({"eu-west-1"}),
}
ENVIRONMENT_CLASSES: dict[str, frozenset[str]] = {
    "dev": frozenset({"public", "internal"}),
    "stage": frozenset({"public", "internal", "confidential"}),
    "prod": frozenset({"public", "internal", "confidential", "restricted"}),
}


def denials(attrs: Attrs, request_tenant: str, request_data_class: str) -> list[str]:
    """Every attribute rule that fails, as abac.rego's `deny` names it, sorted."""
    svc, ten, dc = attrs.service, attrs.tenant, attrs.data_class
    reg, env = attrs.region, attrs.environment
    out: list[str] = []
    if svc not in SERVICES:
        out.append("unregistered_service")
    if ten != request_tenant:
        out.append("tenant_mismatch")
    if dc != request_data_class:
        out.append("data_class_mismatch")
    if reg not in REGIONS:
        out.append("unknown_region")
    certified = CERTIFIED_REGIONS.get(dc)
    if certified is not None and reg not in certified:
        out.append(f"region_not_certified: {dc} data is not served from {reg}")
    if dc in RESIDENT_CLASSES and reg not in TENANT_HOME_REGIONS.get(request_tenant, ()):
        out.append(f"data_residency: {request_tenant} {dc} data is not homed in {reg}")
    held = ENVIRONMENT_CLASSES.get(env)
    if held is None:
        out.append("unknown_environment")
    elif dc not in held:
        out.append(f"environment_data_class: {env} holds no {dc} data")
    return sorted(out)


def decide(attrs: Attrs, request_tenant: str, request_data_class: str) -> tuple[bool, str]:
    """(allow, reason) as abac.rego's `decision` gives them, without break-glass grants."""
    if attrs.role == "admin":
        return True, "role admin"
    failed = denials(attrs, request_tenant, request_data_class)
    if failed:
        return False, "; ".join(failed)
    return True, "all attribute rules pass"
