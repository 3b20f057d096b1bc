"""The header says what is simulated, so nobody takes simulated panes for production, or
production for a simulation: the local audit trail and step-up codes are real and do not
make a live setup a "local simulation"."""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

import pytest
from textual.filter import ANSIToTruecolor
from textual.widgets._header import HeaderTitle

from backends.config import load
from backends.contracts import CAPABILITIES, PANES
from backends.wiring import Sources, build_sources
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.header import UtcClock


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
        # (and "1/5 sources down" before it while no Prometheus answers)
        assert app.sub_title.endswith(" · simulated: access, grants, release, faults")
        assert "local simulation" not in app.sub_title


async def test_at_80_columns_the_header_still_shows_the_environment() -> None:
    """With prod and one live pane the title read "… simulated: access, grants, release,
    faults · en…" at 80 columns: the red bar, and no word of which environment."""
    env = {
        **os.environ,
        "WATCHFLOOR_PANES__LATENCY": "prometheus",
        "WATCHFLOOR_ENVIRONMENT": "prod",
        "WATCHFLOOR_UI__READ_ONLY": "true",
    }
    loaded = load(env=env)
    app = WatchfloorApp(build_sources(loaded), read_only=loaded.config.ui.read_only)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "env prod" in app.sub_title, what="the header")
        await pilot.pause()
        line = app.query_one(HeaderTitle).render_line(0).text
        assert "env prod · read-only" in line, line


async def test_the_clock_repaints_without_building_a_colour_filter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """text-opacity makes Textual build an ANSIToTruecolor filter, with a cache of its
    own, on every repaint of the widget: once a second for the clock, all day."""
    built = 0
    init = ANSIToTruecolor.__init__

    def counting(self: ANSIToTruecolor, *args: Any, **kwargs: Any) -> None:
        nonlocal built
        built += 1
        init(self, *args, **kwargs)

    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="panes filled")
        monkeypatch.setattr(ANSIToTruecolor, "__init__", counting)
        clock = app.query_one(UtcClock)
        shown = [str(clock.render())]
        await wait_for(pilot, lambda: str(clock.render()) != shown[0], within=5, what="clock moved")
        await pilot.pause(1.2)  # and another tick's repaint
    assert built == 0
