"""Latency: p99.9 per route against its SLO and baseline, how far to trust it, adaptive
limit vs inflight with blocked requests (↓ or ↑: which way the limit moved in the last
30 s), cache hit ratios, and an hour of p99.9 history.

Honest numbers: the observation count is shown and a p99.9 resting on fewer than 1,000
observations is marked "?"; a p99.9 in the histogram's +Inf bucket reads "> X" (the last
finite bound); the "range" column is where the true value lies (the histogram bucket, or
the sketch's error bound). "no data" (nothing to compute from) and "error" (a query
failed) look different, per route and for the whole pane.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.reactive import var

from backends.models import HealthState, LatencySnapshot, RouteLatency, RouteState
from tui.fmt import latency, ms, pct
from tui.panes.base import SourcePane
from tui.panes.keyed_table import Column, KeyedTable
from tui.panes.latency_plot import LatencyPlot, Series
from tui.panes.limit_trend import DOWN, LimitTrend
from tui.panes.line import Line

LOW_CONFIDENCE_MARK = "?"
OVER_MARK = "!"  # not in colour alone: NO_COLOR, or a terminal that shows none
ERRORS_OVER = 0.01  # an error rate over this is marked


def p999_cell(r: RouteLatency, stale: bool = False) -> Text:
    if r.state is RouteState.ERROR:
        return Text("error", style="bold red", justify="right")
    if r.state is RouteState.NO_DATA or r.p999_ms is None:
        return Text("no data", style="grey50", justify="right")
    value = f"> {latency(r.p999_ms)}" if r.above_last_bucket else latency(r.p999_ms)
    over = over_slo(r)
    style = "bold red" if over else "green"
    # the style as a span, not the base style: cells are diffed by text and spans
    text = Text(justify="right")
    text.append(value, "grey50" if stale else style)
    if over:
        text.append(OVER_MARK, "grey50" if stale else style)
    if r.low_confidence:
        text.append(LOW_CONFIDENCE_MARK, "yellow")
    return text


def _num(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:.1f}"


def range_cell(r: RouteLatency) -> Text:
    """Where the true p99.9 lies: [low, high] in ms, "> low" when unbounded above."""
    if r.p999_ms is None or r.p999_low_ms is None:
        return Text("—", style="grey50", justify="right")
    if r.above_last_bucket or r.p999_high_ms is None:
        return Text(f"> {_num(r.p999_low_ms)}", style="yellow", justify="right")
    return Text(f"{_num(r.p999_low_ms)}-{_num(r.p999_high_ms)}", justify="right")


def vs_baseline(r: RouteLatency, baselines: Mapping[str, float]) -> Text:
    base = baselines.get(r.route)
    if base is None or r.p999_ms is None or base <= 0:
        return Text("—", style="grey50", justify="right")
    change = r.p999_ms / base - 1
    style = "red" if change > 0.10 else "green" if change < -0.10 else ""
    prefix = "≥ " if r.above_last_bucket else ""
    return Text(f"{prefix}{change:+.0%}", style=style, justify="right")


def errors_cell(r: RouteLatency) -> Text:
    """The error rate; "—" when unknown (no requests to take a rate of: not 0.00 %)."""
    if r.error_rate is None:
        return Text("—", style="grey50", justify="right")
    text = Text(pct(r.error_rate, 2), justify="right")
    if over_errors(r):
        text.stylize("red")
        text.append(OVER_MARK, "red")
    return text


def over_slo(r: RouteLatency) -> bool:
    return r.p999_ms is not None and r.p999_ms > r.slo_ms


def over_errors(r: RouteLatency) -> bool:
    return r.error_rate is not None and r.error_rate > ERRORS_OVER


def at_limit(r: RouteLatency) -> bool:
    return bool(r.limit) and (r.inflight or 0) >= (r.limit or 0)


def inflight_cell(r: RouteLatency) -> Text:
    if r.inflight is None:
        return Text("—", justify="right")
    text = Text(f"{r.inflight:.0f}", justify="right")
    if at_limit(r):  # every request past it is blocked (the last column, off at 80)
        text.stylize("yellow")
        text.append(OVER_MARK, "yellow")
    return text


def marks_legend(routes: Sequence[RouteLatency]) -> str:
    """What the "!" marks now: first on its line, so 80 columns still say it."""
    over = [
        words
        for words, test in (
            ("over SLO", over_slo),
            ("inflight at limit", at_limit),
            (f"errors > {ERRORS_OVER:.0%}", over_errors),
        )
        if any(test(r) for r in routes)
    ]
    return f"{OVER_MARK} {', '.join(over)}" if over else ""


def observations_cell(r: RouteLatency) -> Text:
    style = "yellow" if r.low_confidence and r.observations else ""
    return Text(f"{r.observations:,}", style=style, justify="right")


class LatencyPane(SourcePane):
    TITLE = "Latency · p99.9 and adaptive inflight limits"
    # at 80 columns the name gives way to the window (after HALT ALL, why p99.9 stays up)
    SHORT_TITLES = ("Latency · p99.9 and inflight limits", "Latency · p99.9")
    DEFAULT_CSS = """
    LatencyPane.-empty KeyedTable {
        display: none;
    }
    LatencyPane #latency-table {
        height: auto;  /* every route, however short the pane: the plot gives way */
        max-height: 12;
    }
    """
    baselines: var[dict[str, float]] = var(dict, always_update=True, init=False)

    def compose(self) -> ComposeResult:
        # what matters most first, so an 80-column terminal still shows it
        numbers = ("p99.9", "SLO", "limit", "inflight", "errors", "vs base", "range", "obs")
        yield KeyedTable(
            "route",
            *(Column(label, right=True) for label in (*numbers, "blocked")),
            id="latency-table",
        )
        yield Line("", id="latency-empty", classes="empty")
        yield Line("", id="latency-cache", classes="summary")
        yield LatencyPlot(id="latency-plot")

    def title_note(self, room: int) -> str:
        """Over what time p99.9 is taken (the Access pane says "in 60s" too): after a
        window ends its delayed requests stay in the number that long."""
        snap = self.snapshot
        if not isinstance(snap, LatencySnapshot) or not snap.routes:
            return ""  # nothing measured: no window to speak of
        w = snap.window_s
        span = f"{w:g} s" if w < 180 else f"{w / 60:g} min"
        return next((t for t in (f"over the last {span}", f"last {span}") if len(t) <= room), "")

    def watch_baselines(self, _: dict[str, float]) -> None:
        if self.snapshot is not None:
            self.show(self.snapshot)

    _shown_stale = False
    _limits: LimitTrend | None = None

    def tick(self, snap: LatencySnapshot, now: datetime) -> None:
        """A source that went quiet turns STALE with time alone: grey its values then."""
        if (snap.health.effective_state(now) is not HealthState.OK) != self._shown_stale:
            self.show(snap)

    _shown_window: float | None = None

    def show(self, snap: LatencySnapshot) -> None:
        if snap.window_s != self._shown_window:
            self._shown_window = snap.window_s
            self.refresh_title()
        stale = snap.health.effective_state(self.now) is not HealthState.OK
        self._shown_stale = stale
        rows = {}
        if self._limits is None:
            self._limits = LimitTrend()
        for r in snap.routes:
            trend = self._limits.observe(r.route, snap.observed_at, r.limit)
            limit = f"{trend}{r.limit:.0f}" if r.limit is not None else "—"
            rows[r.route] = (
                r.route,
                p999_cell(r, stale),
                Text(ms(r.slo_ms), justify="right"),
                Text(limit, style="yellow" if trend == DOWN else "", justify="right"),
                inflight_cell(r),
                errors_cell(r),
                vs_baseline(r, self.baselines),
                range_cell(r),
                observations_cell(r),
                Text(f"{r.blocked:,.0f}", style="red" if r.blocked > 0 else "", justify="right"),
            )
        self.table().set_rows(rows)
        self.set_class(not snap.routes, "-empty")
        self.query_one("#latency-empty", Line).update(self._empty_text(snap))
        # filtered to no route: said where the cache line is (the table keeps the focus)
        missing = self.no_match(self.table().row_count, len(rows), "route")
        self.query_one("#latency-cache", Line).update(missing or self._summary(snap))
        series = tuple(Series(r.route, r.history, r.slo_ms) for r in snap.routes if r.history)
        self.query_one(LatencyPlot).plot(series, snap.history_step_s)

    @staticmethod
    def _empty_text(snap: LatencySnapshot) -> Text:
        if snap.health.state is HealthState.ERROR:
            return Text.assemble(
                ("error", "bold red"), f": {snap.health.last_error or 'the source failed'}"
            )
        return Text.assemble(("no data", "bold"), ": the source has no series for these routes")

    @staticmethod
    def _summary(snap: LatencySnapshot) -> Text:
        text = Text()
        if legend := marks_legend(snap.routes):
            text.append(f"{legend}   ", "bold red")
        if any(r.low_confidence and r.p999_ms is not None for r in snap.routes):
            text.append(f"{LOW_CONFIDENCE_MARK} < 1,000 obs   ", "yellow")
        text.append("cache hit ratio: ")
        if not snap.cache:
            text.append("no data", "grey50")
        for i, c in enumerate(snap.cache):
            if i:
                text.append(" · ")
            text.append(f"{c.layer} {pct(c.hit_ratio)}", "bold")
        if snap.health.state is HealthState.NO_DATA and snap.health.last_error:
            text.append(f"   no data: {snap.health.last_error}", "grey50")  # and since when
        if snap.health.state is HealthState.OK and snap.health.last_error:
            text.append(f"   ⚠ {snap.health.last_error}", "yellow")
        return text
