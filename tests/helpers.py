"""Shared test helpers (not fixtures): building the app, waiting on a condition."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.pilot import Pilot
from textual.widget import Widget

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


async def wheel(pilot: Pilot[None], over: Widget, notches: int, *, up: bool = False) -> None:
    """Turn the mouse wheel `notches` clicks with the pointer over `over`, as the terminal
    reports it: to the app, at a point on the screen (Textual scrolls what is under it)."""
    x, y = over.region.x + 1, over.region.y + 1
    kind = events.MouseScrollUp if up else events.MouseScrollDown
    for _ in range(notches):
        pilot.app.post_message(kind(None, x, y, 0, 0, 0, False, False, False, x, y))
        await pilot.pause()
