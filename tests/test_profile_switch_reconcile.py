"""A profile switch while a fault-reconcile round of the old profile is in flight: the
round finished after the switch was shown ("Now on profile prod"), on the old profile's
faults source, so it could end windows and write audit records in the old profile after
the switch. Now the switch waits for the round (up to fault_reconcile.FENCE_S, then
cancels it) and starts no round meanwhile: nothing of the old profile happens after."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from backends.clock import FrozenClock
from backends.config import load
from backends.local.faults import LocalFaults
from backends.wiring import build_sources
from tests.helpers import SIZE, wait_for
from tui import fault_reconcile
from tui.app import WatchfloorApp
from tui.operator_actions import Profile

PROFILES = """
[profiles.prod]
environment = "prod"
[profiles.stage]
environment = "stage"
"""


class SlowRounds:
    """LocalFaults.reconcile held for `hold_s` (forever with None), then the real one;
    `log` says what happened in which order, with the source the round ran on."""

    def __init__(self, mp: pytest.MonkeyPatch, hold_s: float | None) -> None:
        self.log: list[tuple[str, object]] = []
        self.started = asyncio.Event()
        real = LocalFaults.reconcile

        async def slow(src: LocalFaults, latency: Any = None, **kw: Any) -> list[str]:
            self.log.append(("round started", src))
            self.started.set()
            try:
                if hold_s is None:
                    await asyncio.Event().wait()
                await asyncio.sleep(hold_s or 0)
            except asyncio.CancelledError:
                self.log.append(("round cancelled", src))
                raise
            lines = await real(src, latency, **kw)
            self.log.append(("round wrote", src))
            return lines

        mp.setattr(LocalFaults, "reconcile", slow)


def app_for(cfg: Path, clock: FrozenClock) -> WatchfloorApp:
    def switch(name: str) -> Profile:
        return Profile(build_sources(load(cfg, profile=name), clock=clock))

    return WatchfloorApp(
        build_sources(load(cfg, profile="stage"), clock=clock),
        clock=clock,
        profiles=("prod", "stage"),
        active_profile="stage",
        switch_profile_to=switch,
    )


@pytest.mark.parametrize("hold_s", [0.5, None])
async def test_nothing_of_the_old_profile_is_reconciled_after_the_switch(
    hold_s: float | None,
    tmp_path: Path,
    frozen_clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fault_reconcile, "RECONCILE_S", 0.1)
    monkeypatch.setattr(fault_reconcile, "FENCE_S", 1.0, raising=False)
    cfg = tmp_path / "profiles.toml"
    await asyncio.to_thread(cfg.write_text, PROFILES)
    app = app_for(cfg, frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        rounds = SlowRounds(monkeypatch, hold_s)
        await asyncio.wait_for(rounds.started.wait(), 5)  # a round in flight on stage
        stage = app.sources["faults"]
        await app.switch_profile("prod")
        rounds.log.append(("switch shown", app.sources["faults"]))
        assert app.active_profile == "prod"
        await asyncio.sleep(1.5)  # what an unfenced round would still do
        await pilot.pause()
        shown = rounds.log.index(("switch shown", app.sources["faults"]))
        after = [what for what, src in rounds.log[shown:] if src is stage]
        assert after == [], rounds.log
        if hold_s is not None:  # waited for, not cancelled: its writes are whole
            assert ("round wrote", stage) in rounds.log[:shown]
        else:  # one that does not end: cancelled before the switch, not left running
            assert ("round cancelled", stage) in rounds.log[:shown], rounds.log
