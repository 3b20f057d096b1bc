"""Latency: p99.9 per route against its SLO and baseline, adaptive limit vs inflight, cache."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.reactive import var
from textual.widgets import DataTable, Static

from backends.models import LatencySnapshot, RouteLatency
from tui.fmt import ms, pct
from tui.panes.base import SourcePane
from tui.panes.table import spark, sync_table


def p999_cell(r: RouteLatency) -> Text:
    if r.p999_ms is None:
        return Text("no data", style="grey50", justify="right")
    value = f"> {ms(r.p999_ms)}" if r.above_last_bucket else ms(r.p999_ms)
    style = "bold red" if r.p999_ms > r.slo_ms else "green"
    text = Text(value, style=style, justify="right")
    if r.low_confidence:
        text.append("?", "yellow")
    return text


def vs_baseline(r: RouteLatency, baselines: Mapping[str, float]) -> Text:
    base = baselines.get(r.route)
    if base is None or r.p999_ms is None or base <= 0:
        return Text("—", style="grey50", justify="right")
    change = r.p999_ms / base - 1
    style = "red" if change > 0.10 else "green" if change < -0.10 else ""
    return Text(f"{change:+.0%}", style=style, justify="right")


class LatencyPane(SourcePane):
    TITLE = "Latency · p99.9 and adaptive inflight limits"
    baselines: var[dict[str, float]] = var(dict, always_update=True, init=False)

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="latency-table", cursor_type="row")
        table.add_columns(
            "route",
            "p99.9",
            "SLO",
            "vs base",
            "obs",
            "errors",
            "limit",
            "inflight",
            "blocked",
            "p99.9 last 5 min",
        )
        yield table
        yield Static("", id="latency-cache", classes="summary")

    def watch_baselines(self, _: dict[str, float]) -> None:
        if self.snapshot is not None:
            self.show(self.snapshot)

    def show(self, snap: LatencySnapshot) -> None:
        rows = {}
        for r in snap.routes:
            limit = f"{r.limit:.0f}" if r.limit is not None else "—"
            inflight = f"{r.inflight:.0f}" if r.inflight is not None else "—"
            rows[r.route] = (
                r.route,
                p999_cell(r),
                Text(ms(r.slo_ms), justify="right"),
                vs_baseline(r, self.baselines),
                Text(f"{r.observations:,}", justify="right"),
                Text(
                    pct(r.error_rate, 2),
                    style="red" if r.error_rate > 0.01 else "",
                    justify="right",
                ),
                Text(limit, justify="right"),
                Text(
                    inflight,
                    style="yellow" if r.limit and (r.inflight or 0) > r.limit else "",
                    justify="right",
                ),
                Text(f"{r.blocked:,.0f}", justify="right"),
                Text(spark(r.history, 60), style="cyan"),
            )
        sync_table(self.table(), rows)
        cache = Text("cache hit ratio: ")
        for i, c in enumerate(snap.cache):
            if i:
                cache.append(" · ")
            cache.append(f"{c.layer} {pct(c.hit_ratio)}", "bold")
        self.query_one("#latency-cache", Static).update(cache)
