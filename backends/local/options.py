"""Options of the `local` backend ([backends.local] in the config)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

BREAK_GLASS_ROLES = ("sre-oncall", "db-reader", "prod-deployer", "cluster-admin")
PROTECTED_NAMESPACES = ("prod", "production", "kube-system", "istio-system")


class LocalOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = 35
    demo_grants: bool = True
    max_ttl_minutes: int = Field(default=240, gt=0, le=24 * 60)
    roles: tuple[str, ...] = BREAK_GLASS_ROLES
    protected_namespaces: tuple[str, ...] = PROTECTED_NAMESPACES
    max_window_minutes: int = Field(default=60, gt=0, le=24 * 60)
    max_fault_percent: float = Field(default=50.0, gt=0, le=100)
