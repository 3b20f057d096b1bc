"""Shared test helpers (not fixtures): building the app, waiting on a condition."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from backends.clock import Clock
from backends.config import load
from backends.wiring import Sources, build_sources
from tui.app import WatchfloorApp

SIZE = (160, 50)


def local_sources(clock: Clock | None = None) -> Sources:
    return build_sources(load(), clock=clock)


def local_app(clock: Clock | None = None) -> WatchfloorApp:
    return WatchfloorApp(local_sources(clock), clock=clock)


async def wait_for(
    pilot: Pilot[None], cond: Callable[[], bool], within: float = 15.0, what: str = "condition"
) -> None:
    loops = int(within / 0.05)
    for _ in range(loops):
        if cond():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out after {within}s waiting for {what}")
