"""The header says what is simulated, so nobody takes simulated panes for production, or
production for a simulation: the local audit trail and step-up codes are real and do not
make a live setup a "local simulation"."""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

from backends.config import load
from backends.contracts import CAPABILITIES, PANES
from backends.wiring import Sources, build_sources
from tests.helpers import SIZE, wait_for
from tui.app import WatchfloorApp


def sources_named(names: dict[str, str]) -> Sources:
    by_capability: dict[str, Any] = {c: SimpleNamespace(name=names[c]) for c in CAPABILITIES}
    ctx: Any = None  # not used by these properties
    return Sources(by_capability=by_capability, ctx=ctx, environment="prod")


def test_live_panes_with_a_local_audit_trail_are_not_a_simulation() -> None:
    live = dict.fromkeys(CAPABILITIES, "live-backend") | {"audit": "local", "stepup": "local"}
    sources = sources_named(live)
    assert sources.simulated_panes == ()
    assert sources.local_simulation is False


def test_simulated_panes_are_named_in_order() -> None:
    mixed = dict.fromkeys(CAPABILITIES, "local") | {"latency": "prometheus", "access": "opa"}
    assert sources_named(mixed).simulated_panes == ("grants", "release", "faults")
    assert sources_named(dict.fromkeys(CAPABILITIES, "local")).simulated_panes == PANES


async def test_header_names_the_simulated_panes_when_some_are_live() -> None:
    # the test's own data dir and config home, and latency from Prometheus (whether or not
    # one answers does not matter here)
    env = {**os.environ, "WATCHFLOOR_PANES__LATENCY": "prometheus"}
    app = WatchfloorApp(build_sources(load(env=env)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "env local" in app.sub_title, what="the header")
        assert app.sub_title.startswith("simulated: access, grants, release, faults · ")
        assert "local simulation" not in app.sub_title
