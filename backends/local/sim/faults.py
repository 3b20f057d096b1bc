"""Which routes a fault window hits, and what the active windows do to each route."""

from __future__ import annotations

from collections.abc import Sequence

from backends.local.sim.gateway import ROUTE_PARAMS, ROUTES, Effect
from backends.models import FaultWindow

SIMULATED_HOSTS = (*(h for p in ROUTE_PARAMS for h in p.hosts), "gateway")


def routes_for_target(target: str) -> tuple[str, ...]:
    """Which routes a fault window's target_host hits: service host, route name, or gateway."""
    if target == "gateway":
        return ROUTES
    return tuple(p.name for p in ROUTE_PARAMS if target == p.name or target in p.hosts)


def effects_at(windows: Sequence[FaultWindow], active: Sequence[bool]) -> dict[str, Effect]:
    """Combine the active windows per route: aborts are independent, delays add up."""
    delays: dict[str, list[tuple[float, float]]] = {}
    ok: dict[str, float] = {}
    for w, on in zip(windows, active, strict=True):
        if not on:
            continue
        for route in routes_for_target(w.spec.target_host):
            if w.spec.delay_ms > 0 and w.spec.delay_percent > 0:
                delays.setdefault(route, []).append(
                    (w.spec.delay_percent / 100.0, float(w.spec.delay_ms))
                )
            ok[route] = ok.get(route, 1.0) * (1.0 - w.spec.abort_percent / 100.0)
    return {
        r: Effect(tuple(delays.get(r, ())), 1.0 - ok.get(r, 1.0)) for r in set(delays) | set(ok)
    }
