"""The App: composes the panes, owns the keys, and runs one named worker per source."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import Footer, Header

from backends.alerts import AlertBook, derive
from backends.clock import Clock, SystemClock
from backends.contracts import PANES
from backends.models import Snapshot
from backends.polling import with_error
from backends.wiring import SNAPSHOT_TYPES, Sources
from tui.panes.access import AccessPane
from tui.panes.alerts import AlertStrip
from tui.panes.base import SourcePane
from tui.panes.faults import FaultsPane
from tui.panes.grants import GrantsPane
from tui.panes.latency import LatencyPane
from tui.panes.release import ReleasePane
from tui.screens.help import HelpScreen

PANE_CLASSES: dict[str, type[SourcePane]] = {
    "latency": LatencyPane,
    "faults": FaultsPane,
    "access": AccessPane,
    "grants": GrantsPane,
    "release": ReleasePane,
}
MAX_BACKOFF_S = 30.0
PRIME_S = 0.5  # how long the first frame waits for every source's first snapshot


class WatchfloorApp(App[None]):
    CSS_PATH = str(Path(__file__).with_name("watchfloor.tcss"))
    TITLE = "Watchfloor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("1", "focus_pane('latency')", "Latency", show=False, id="focus.latency"),
        Binding("2", "focus_pane('faults')", "Faults", show=False, id="focus.faults"),
        Binding("3", "focus_pane('access')", "Access", show=False, id="focus.access"),
        Binding("4", "focus_pane('grants')", "Grants", show=False, id="focus.grants"),
        Binding("5", "focus_pane('release')", "Release", show=False, id="focus.release"),
        Binding("b", "mark_baseline", "Mark baseline", id="latency.baseline"),
        Binding("ctrl+s", "save_svg", "Screenshot", id="app.screenshot"),
    ]

    def __init__(
        self,
        sources: Sources,
        *,
        clock: Clock | None = None,
        screenshot_dir: Path | None = None,
        watch: bool = True,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.sources = sources
        self.clock: Clock = clock or SystemClock()
        self.screenshot_dir = screenshot_dir or sources.ctx.data_dir
        self.snapshots: dict[str, Snapshot | None] = dict.fromkeys(PANES)
        self.baselines: dict[str, float] = {}
        self._alert_book = AlertBook()
        self._watch = watch
        self._theme_name = theme

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield AlertStrip(id="alerts")
        with Grid(id="panes"):
            for cap, cls in PANE_CLASSES.items():
                yield cls(id=cap, classes="pane")
        yield Footer()

    async def on_mount(self) -> None:
        where = "local simulation" if self.sources.local_simulation else "live"
        self.sub_title = f"{where} · env {self.sources.environment}"
        if self._theme_name and self._theme_name in self.available_themes:
            self.theme = self._theme_name
        self.query_one(AlertStrip).alerts = ()
        if self._watch:
            # Give every source a short head start so the first frame is complete; a slow
            # source simply arrives later through its worker.
            streams = {cap: aiter(self.sources[cap].watch()) for cap in PANES}
            firsts = {cap: asyncio.ensure_future(anext(it)) for cap, it in streams.items()}
            await asyncio.wait(firsts.values(), timeout=PRIME_S)
            for cap in PANES:
                first: Awaitable[Snapshot] | None = firsts[cap]
                if firsts[cap].done() and firsts[cap].exception() is None:
                    self.deliver(cap, firsts[cap].result())
                    first = None
                self.run_worker(
                    self._pump(cap, streams[cap], first),
                    name=f"source:{cap}",
                    group="sources",
                    exit_on_error=False,
                )
            self.set_interval(1.0, self._tick, name="clock")

    def pane(self, cap: str) -> SourcePane:
        return self.query_one(f"#{cap}", SourcePane)

    # --- data flow: sources -> panes ----------------------------------------------------------

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
                    self.deliver(cap, snap)
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

    def deliver(self, cap: str, snap: Snapshot) -> None:
        self.snapshots[cap] = snap
        with self.batch_update():
            pane = self.pane(cap)
            pane.now = self.clock.now()
            pane.snapshot = snap
            self._refresh_alerts()

    def _tick(self) -> None:
        now = self.clock.now()
        with self.batch_update():
            for cap in PANE_CLASSES:
                self.pane(cap).now = now
            self._refresh_alerts()

    def _refresh_alerts(self) -> None:
        alerts = derive(self.snapshots, self.clock.now(), self.baselines)
        strip = self.query_one(AlertStrip)
        current = tuple(self._alert_book.update(alerts))
        if current != strip.alerts:
            strip.alerts = current

    def all_panes_filled(self) -> bool:
        return all(s is not None for s in self.snapshots.values())

    # --- actions ------------------------------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self._binding_rows()))

    def action_focus_pane(self, cap: str) -> None:
        self.pane(cap).query_one("DataTable").focus()

    def action_mark_baseline(self) -> None:
        snap = self.snapshots.get("latency")
        routes = getattr(snap, "routes", ())
        self.baselines = {r.route: r.p999_ms for r in routes if r.p999_ms is not None}
        pane = self.pane("latency")
        if isinstance(pane, LatencyPane):
            pane.baselines = dict(self.baselines)
        if self.baselines:
            marked = ", ".join(f"{k} {v:.0f} ms" for k, v in self.baselines.items())
            self.notify(f"Baseline marked: {marked}", title="p99.9 baseline")
        else:
            self.notify("No p99.9 yet to mark as a baseline", severity="warning")
        self._refresh_alerts()

    def action_save_svg(self) -> None:
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%SZ")
        path = self.save_screenshot(
            filename=f"watchfloor-{stamp}.svg", path=str(self.screenshot_dir)
        )
        self.notify(f"Saved {path}", title="Screenshot")

    def _binding_rows(self) -> list[tuple[str, str]]:
        return [
            (
                a.binding.key_display or self.get_key_display(a.binding),
                a.binding.description or a.binding.action,
            )
            for a in self.active_bindings.values()
        ]

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Mark p99.9 baseline",
            "Use current p99.9 per route as the baseline",
            self.action_mark_baseline,
        )
        yield SystemCommand(
            "Save SVG screenshot", "Write the screen to the data dir", self.action_save_svg
        )
        for cap in PANE_CLASSES:
            yield SystemCommand(
                f"Focus {cap} pane",
                f"Move the cursor to the {cap} pane",
                lambda cap=cap: self.action_focus_pane(cap),
            )

    async def on_unmount(self) -> None:
        await self.sources.aclose()

    def now(self) -> datetime:
        return self.clock.now()
