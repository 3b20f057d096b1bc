"""Helpers for the simulator tests (tests/test_sim_*.py): a fixed start, times after it,
a route's latency row, and fault windows on the simulator's routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backends.local.sim import Simulator
from backends.models import FaultSpec, FaultWindow, RouteLatency

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
