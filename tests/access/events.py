"""Decision-log events in OPA's documented shape, for the tests."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from typing import Any

SERVICES = ("gateway", "docs-api", "search-api", "billing")
TENANTS = ("acme", "globex", "initech")
CLASSES = ("public", "internal", "restricted")
REGIONS = ("eu-west-1", "us-east-1")
ENVS = ("stage", "prod")


def opa_event(
    *,
    service: str,
    tenant: str,
    data_class: str = "public",
    region: str = "eu-west-1",
    environment: str = "stage",
    request_tenant: str | None = None,
    request_data_class: str | None = None,
    role: str = "user",
    allowed: bool = True,
    path: str = "abac/allow",
) -> dict[str, Any]:
    return {
        "labels": {"app": "gateway", "id": "7b5c5c1e-opa", "version": "v1.4.2"},
        "decision_id": str(uuid.uuid4()),
        "bundles": {"abac": {"revision": "r42"}},
        "path": path,
        "input": {
            "attrs": {
                "service": service,
                "tenant": tenant,
                "data_class": data_class,
                "region": region,
                "environment": environment,
                "role": role,
            },
            "request": {
                "tenant": request_tenant or tenant,
                "data_class": request_data_class or data_class,
            },
        },
        "result": allowed,
        "requested_by": "127.0.0.1:51234",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f000Z"),
        "metrics": {"timer_rego_query_eval_ns": 61234},
        "req_id": 1,
    }


def random_events(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    return [
        opa_event(
            service=rnd.choice(SERVICES),
            tenant=rnd.choice(TENANTS),
            data_class=rnd.choice(CLASSES),
            region=rnd.choice(REGIONS),
            environment=rnd.choice(ENVS),
            allowed=rnd.random() > 0.3,
        )
        for _ in range(n)
    ]


def ground_truth(events: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[int, int]]:
    """(dimension, value) -> (total, denied), counted the obvious way."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for ev in events:
        for dim in ("service", "tenant", "data_class", "region", "environment"):
            key = (dim, ev["input"]["attrs"][dim])
            tot, den = out.get(key, (0, 0))
            out[key] = (tot + 1, den + (0 if ev["result"] else 1))
    return out
