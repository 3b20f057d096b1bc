"""A small history plot: p99.9 per route over the last hour, side by side, bars red above
the route's SLO. Data is pushed in (`series`, `step_s`); it never asks anyone for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from tui.fmt import duration, latency
from tui.panes.line import SizedLine

BARS = " ▁▂▃▄▅▆▇█"
ROWS = 3  # bar rows under each title line


@dataclass(frozen=True)
class Series:
    route: str
    values: tuple[float, ...]  # oldest first, one per step
    slo_ms: float


def downsample(values: Sequence[float], width: int) -> list[float]:
    """At most `width` columns, each the max of the points it covers (tails stay visible)."""
    n = len(values)
    if n <= width or width <= 0:
        return list(values)
    out = []
    for c in range(width):
        a, b = c * n // width, (c + 1) * n // width
        out.append(max(values[a:b]))
    return out


def bar_rows(values: Sequence[float], top: float, rows: int = ROWS) -> list[str]:
    """`rows` lines of block characters, top line first, scaled so `top` fills them."""
    levels = rows * (len(BARS) - 1)
    lines = [[" "] * len(values) for _ in range(rows)]
    for x, v in enumerate(values):
        h = 0 if top <= 0 else min(levels, round(v / top * levels))
        if v > 0 and h == 0:
            h = 1
        for r in range(rows):
            fill = min(len(BARS) - 1, max(0, h - r * (len(BARS) - 1)))
            lines[rows - 1 - r][x] = BARS[fill]
    return ["".join(line) for line in lines]


def render_one(s: Series, width: int, step_s: float, rows: int = ROWS) -> list[Text]:
    cols = downsample(s.values, max(1, width))
    span = duration(len(s.values) * step_s) if s.values else "—"
    title = Text(s.route, style="bold")
    if not cols:
        title.append(" · no history yet", style="grey50")
        return [title] + [Text(" " * width) for _ in range(rows)]
    peak = max(cols)
    # the max matters more than the span: a narrow column drops "last …" before the max
    for extra in (f" · last {span} · max {latency(peak)}", f" · max {latency(peak)}", ""):
        if title.cell_len + len(extra) <= width or not extra:
            title.append(extra, style="grey70")
            break
    title.truncate(width, overflow="ellipsis")
    top = max(peak, s.slo_ms)
    lines = []
    pad = " " * max(0, width - len(cols))  # now is at the right edge
    over = [v > s.slo_ms for v in cols]
    for row in bar_rows(cols, top, rows):
        t = Text(pad)
        start = 0
        for x in range(1, len(row) + 1):  # one span per run of the same colour
            if x == len(row) or over[x] != over[start]:
                t.append(row[start:x], style="red" if over[start] else "cyan")
                start = x
        lines.append(t)
    return [title, *lines]


class LatencyPlot(SizedLine):
    """Drawn once per new point or size, then served from cached strips. Its height is
    fixed (`1fr`, at most 4), so drawing fewer lines on a short pane needs no layout."""

    DEFAULT_CSS = """
    LatencyPlot {
        height: 1fr;
        max-height: 4;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: tuple[Series, ...] = ()
        self.step_s = 5.0

    def plot(self, series: tuple[Series, ...], step_s: float) -> None:
        if (series, step_s) != (self.series, self.step_s):
            self.series, self.step_s = series, step_s
            self.redraw()

    def draw(self, width: int, height: int = ROWS + 1) -> Text:
        """The titles, and under them as many bar rows as fit (at most ROWS), scaled to
        the rows there are: a short pane gets a one-line sparkline, not a blank line."""
        if not self.series:
            return Text("p99.9 history: no data", style="grey50")
        n = len(self.series)
        gap = 2
        col = max(8, (width - gap * (n - 1)) // n)
        rows = max(0, min(ROWS, height - 1))
        blocks = [render_one(s, col, self.step_s, rows) for s in self.series]
        out = Text()
        for i in range(rows + 1):
            if i:
                out.append("\n")
            for j, block in enumerate(blocks):
                if j:
                    out.append(" " * gap)
                line = block[i].copy()
                line.truncate(col, pad=True)
                out.append_text(line)
        return out
