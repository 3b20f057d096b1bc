"""Options of the `local` backend ([backends.local] in the config)."""

from __future__ import annotations

from pydantic import Field

from backends.option_types import Options

BREAK_GLASS_ROLES = ("sre-oncall", "db-reader", "prod-deployer", "cluster-admin")
PROTECTED_NAMESPACES = ("prod", "production", "kube-system", "istio-system")


class LocalOptions(Options):
    seed: int = 35
    demo_grants: bool = True
    max_ttl_minutes: int = Field(default=240, gt=0, le=24 * 60)
    roles: tuple[str, ...] = BREAK_GLASS_ROLES  # grantable here (the policy decides who may)
    protected_namespaces: tuple[str, ...] = PROTECTED_NAMESPACES
    max_window_minutes: int = Field(default=60, gt=0, le=24 * 60)
    max_fault_percent: float = Field(default=50.0, gt=0, le=100)
    # Break-glass: who may grant what is policy/breakglass.rego; these say who has which
    # role (name -> roles). Anyone not listed has `default_actor_roles`.
    actor_roles: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    default_actor_roles: tuple[str, ...] = ("oncall",)
