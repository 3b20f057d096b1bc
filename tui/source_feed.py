"""The App's data flow, as a mixin of WatchfloorApp (like the *Actions mixins): one named
worker per source pumps its `watch()` stream into `deliver`; `flush` pushes what arrived,
and the time, down to the panes in one batch: at the one-second tick for polled news,
within FLUSH_S for an action's result or a pane's first data."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from textual.app import App
from textual.timer import Timer

from backends.alerts import AlertBook
from backends.clock import Clock
from backends.contracts import PANES
from backends.fault_log import FaultLog
from backends.latency_peaks import LatencyPeaks
from backends.models import FaultsSnapshot, LatencySnapshot, Snapshot
from backends.polling import with_error
from backends.timeline import Timeline
from backends.wiring import SNAPSHOT_TYPES
from tui.header import WatchHeader
from tui.history_feed import read_history
from tui.panes.alerts import AlertStrip
from tui.panes.base import SourcePane

MAX_BACKOFF_S = 30.0
PRIME_S = 0.5  # how long the first frame waits for every source's first snapshot
FLUSH_S = 0.05  # snapshots arriving within this window are painted together


class SourceFeed(App[None]):
    """Mixed into WatchfloorApp, which provides the state below and `pane`/`alert_strip`."""

    sources: Any
    clock: Clock
    timeline: Timeline
    fault_log: FaultLog  # every fault window seen, for the game-day report
    snapshots: dict[str, Snapshot | None]
    baselines: dict[str, float]
    first_latency: LatencySnapshot | None
    peaks: LatencyPeaks
    _alert_book: AlertBook
    _pending: dict[str, Snapshot]
    _shown: set[str]
    _flush_timer: Timer | None
    _tick_timer: Timer | None
    _gc_frozen: bool
    _streams: dict[str, AsyncIterator[Snapshot]]
    _firsts: dict[str, Awaitable[Snapshot]]

    mark_sources: Callable[[], None]  # OperatorActions': the header's sources down
    keep_episodes: Callable[[datetime], None]  # AlertActions': alerts kept for a restart

    def pane(self, cap: str) -> SourcePane:
        raise NotImplementedError  # WatchfloorApp's

    @property
    def alert_strip(self) -> AlertStrip:
        raise NotImplementedError  # WatchfloorApp's

    async def prime_sources(self) -> None:
        """Subscribe to every source and give each a short head start (PRIME_S), so the
        first frame is complete. Called from `on_load`, before the panes exist: the first
        layout and paint then happen once, with data, instead of once empty and again
        filled. A slow source simply arrives later through its worker."""
        self.timeline.rebase()  # new sources: their first snapshots are the baseline
        self._streams = {cap: aiter(self.sources[cap].watch()) for cap in PANES}
        firsts = {cap: asyncio.ensure_future(anext(it)) for cap, it in self._streams.items()}
        await asyncio.wait(firsts.values(), timeout=PRIME_S)
        self._firsts = {}
        for cap in PANES:
            first = firsts[cap]
            if first.done() and first.exception() is None:
                self.receive(cap, first.result())
            else:
                self._firsts[cap] = first

    def run_sources(self) -> None:
        """Show what the sources answered while priming, then start one named worker per
        source, and one that reads the audit trail's recent history into the timeline."""
        self.flush()  # the first frame: everything that answered in time
        streams, self._streams = self._streams, {}
        for cap in PANES:
            self.run_worker(
                self._pump(cap, streams[cap], self._firsts.pop(cap, None)),
                name=f"source:{cap}",
                group="sources",
                exit_on_error=False,
            )
        self.run_worker(
            read_history(
                self,
                self.sources.by_capability.get("audit"),
                self.timeline,
                self.clock,
                self.fault_log,
                self._alert_book,
            ),
            name="audit-history",
            group="sources",
            exit_on_error=False,
        )

    async def _pump(
        self, cap: str, stream: AsyncIterator[Snapshot], first: Awaitable[Snapshot] | None
    ) -> None:
        """One worker per source. `watch()` sleeps after each poll, so nothing stacks up;
        if the stream itself dies, keep the last data, say why, and resubscribe."""
        src = self.sources[cap]
        backoff = 1.0
        while True:
            try:
                if first is not None:
                    self.deliver(cap, await first)
                async for snap in stream:
                    self.deliver(cap, snap, batched=True)
                    backoff = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                last = self.snapshots[cap]
                self.deliver(
                    cap,
                    with_error(
                        SNAPSHOT_TYPES[cap],
                        last,
                        exc,
                        source=src.name,
                        interval_s=self.sources.ctx.interval_s,
                        clock=self.clock,
                    ),
                )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)
            stream = aiter(src.watch())
            first = None

    def deliver(self, cap: str, snap: Snapshot, *, batched: bool = False) -> None:
        """Take a snapshot. Polled news (`batched`) is shown at the once-a-second tick, so
        five sources cost one repaint a second, not five; the result of an action, a pane's
        first data, or anything while the tick is not running is shown within FLUSH_S."""
        self.receive(cap, snap)
        urgent = not batched or cap not in self._shown or self._tick_timer is None
        if urgent and self._flush_timer is None:
            self._flush_timer = self.set_timer(FLUSH_S, self.flush, name="flush")

    async def refresh_now(self, cap: str) -> None:
        """After an action: show its result now rather than at the next poll (up to
        ui.refresh_s away), if the source can take a snapshot on demand."""
        snapshot = getattr(self.sources[cap], "snapshot", None)
        if snapshot is None:
            return
        try:
            snap = await snapshot()
        except Exception:
            return  # the next poll shows it, or the error
        self.deliver(cap, snap)

    def receive(self, cap: str, snap: Snapshot) -> None:
        """Every snapshot a source gives, primed or pumped, comes in here (not yet shown)."""
        self.snapshots[cap] = snap
        self.timeline.observe(snap, self.clock.now())
        if isinstance(snap, FaultsSnapshot):
            self.fault_log.observe(snap)  # the report's windows: the source forgets ended ones
        if isinstance(snap, LatencySnapshot):
            self.peaks.observe(snap)  # the game-day report's worst p99.9 and lowest limit
            if self.first_latency is None and snap.routes:
                self.first_latency = snap
        self._pending[cap] = snap

    def flush(self) -> None:
        """Push pending snapshots and the time down to the panes, in one batch."""
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        pending, self._pending = self._pending, {}
        if not self.screen_stack or not self.is_running or self._closing:
            return  # shutting down
        now = self.clock.now()
        with self.batch_update():
            self.query_one(WatchHeader).set_time(now)
            self.mark_sources()  # an unchanged subtitle costs no repaint
            for cap in PANES:
                self.pane(cap).push(pending.get(cap), now)
                if cap in pending:
                    self._shown.add(cap)
            self.refresh_alerts()
        if not self._gc_frozen and self.all_panes_filled():
            # Everything built so far (models, the simulator's windows, the widget tree)
            # lives as long as the app: out of the collector's way, a full collection
            # scans thousands of objects instead of ~100k (it was a 65 ms pause, and
            # 0.4 % of a core when idle). The first frame froze start-up already; this
            # also covers the first data of a source that answered after it.
            self._gc_frozen = True
            self.call_after_refresh(gc.freeze)

    def _tick(self) -> None:
        """Once a second: news, countdowns and data ages, in one repaint."""
        self.flush()

    def refresh_alerts(self) -> None:
        now = self.clock.now()
        alerts = self._alert_book.derive(self.snapshots, now, self.baselines)
        current = tuple(self._alert_book.update(alerts, now))
        self.keep_episodes(now)
        self.timeline.observe_alerts(current, now)  # what the strip shows, held ones too
        strip = self.alert_strip
        if current != strip.alerts:
            strip.alerts = current

    def all_panes_filled(self) -> bool:
        """Every pane has received data and shown it."""
        return self._shown >= set(PANES)
