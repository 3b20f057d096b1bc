"""`watchfloor lab`: the local simulation, run in real time and served to real servers.

A `Lab` owns one Simulator and a list of publishers. It advances the simulation to the
wall clock every tick and fans the simulator's hooks out to every publisher: each latency
sample, each policy decision, and a tick after every advance. A publisher overrides only
what it needs (see `Publisher`); the Prometheus metrics server is one
(backends.lab.metrics), and another (an MQTT publisher of decisions, say) is added by
writing a module here and passing an instance in the list — nothing in this file or the
metrics module changes.

The simulation feels fault windows as the dashboard's local simulation does: those given
with `add_fault` and, with `faults` (backends.lab.faults: a data dir's local store), the
ones the dashboard and `watchfloor faults` schedule there, read again every
`faults.interval_s` while the lab runs, so a window ended early (`e`, HALT ALL, a guard)
is taken out at the next read and one that ends on time at its end.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from backends.clock import Clock, SystemClock
from backends.local.sim import Simulator
from backends.models import Decision, FaultWindow

__all__ = ["FaultFeed", "Lab", "Publisher"]


class FaultFeed(Protocol):
    """Where the lab's fault windows come from while it runs (backends.lab.faults)."""

    interval_s: float

    async def windows(self, now: datetime) -> Sequence[FaultWindow]:
        """The windows the simulation should feel (each while it is ACTIVE)."""
        ...

    def close(self) -> None: ...


class Publisher:
    """Base class: every hook is a no-op. `start` runs before the first tick, `aclose` last.

    Hooks run on the lab's event loop thread, between ticks, and must not block: a
    publisher that does network I/O queues the event and sends it from a task it started
    in `start`."""

    name = "publisher"

    async def start(self, sim: Simulator) -> None:
        return None

    def on_sample(self, route: str, at: datetime, latency_ms: float, error: bool) -> None:
        return None

    def on_decision(self, decision: Decision) -> None:
        return None

    def on_tick(self, sim: Simulator) -> None:
        return None

    async def aclose(self) -> None:
        return None

    def trouble(self) -> str:
        """What went wrong while it ran, said once it has stopped ("": nothing)."""
        return ""

    def delivered(self) -> bool:
        """False when it never delivered anything it had to (the command then exits 1)."""
        return True


class Lab:
    def __init__(
        self,
        publishers: Sequence[Publisher],
        *,
        seed: int = 35,
        clock: Clock | None = None,
        tick_s: float = 0.25,
        faults: FaultFeed | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.publishers = tuple(publishers)
        self.tick_s = tick_s
        self.sim = Simulator(seed=seed, start=self.clock.now())
        self.sim.sample_hook = self._sample
        self.sim.decision_hook = self._decision
        self.faults = faults
        self._faults: dict[str, FaultWindow] = {}  # add_fault's
        self._followed: tuple[FaultWindow, ...] = ()  # the feed's, as last read
        self.ticks = 0
        self.ticked = asyncio.Event()  # set after the first tick: every publisher is serving

    def _sample(self, route: str, at: datetime, latency_ms: float, error: bool) -> None:
        for p in self.publishers:
            p.on_sample(route, at, latency_ms, error)

    def _decision(self, decision: Decision) -> None:
        for p in self.publishers:
            p.on_decision(decision)

    def add_fault(self, window: FaultWindow) -> None:
        """A fault window the simulation feels while it is active (game days in the lab)."""
        self._faults[window.id] = window
        self._set_faults()

    def follow(self, windows: Sequence[FaultWindow]) -> None:
        """The feed's windows as now read: they replace the ones read before."""
        self._followed = tuple(w for w in windows if w.id not in self._faults)
        self._set_faults()

    def _set_faults(self) -> None:
        self.sim.set_faults([*self._faults.values(), *self._followed])

    async def _follow(self, feed: FaultFeed) -> None:
        while True:
            await asyncio.sleep(feed.interval_s)
            self.follow(await feed.windows(self.clock.now()))

    def tick(self) -> None:
        """Advance the simulation to now and tell every publisher."""
        self.sim.advance_to(self.clock.now())
        self.ticks += 1
        for p in self.publishers:
            p.on_tick(self.sim)
        self.ticked.set()

    async def run(
        self, *, duration_s: float | None = None, stop: asyncio.Event | None = None
    ) -> None:
        """Tick until `stop` is set or `duration_s` has passed (forever if neither)."""
        stop = stop or asyncio.Event()
        started: list[Publisher] = []
        following: asyncio.Task[None] | None = None
        try:
            if self.faults is not None:  # the windows open now, felt from the first tick
                self.follow(await self.faults.windows(self.clock.now()))
                following = asyncio.create_task(self._follow(self.faults))
            for p in self.publishers:
                await p.start(self.sim)
                started.append(p)
            loop = asyncio.get_running_loop()
            until = None if duration_s is None else loop.time() + duration_s
            while not stop.is_set() and (until is None or loop.time() < until):
                self.tick()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.tick_s)
        finally:
            if following is not None:
                following.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await following
            if self.faults is not None:
                self.faults.close()
            for p in reversed(started):
                with contextlib.suppress(Exception):
                    await p.aclose()
