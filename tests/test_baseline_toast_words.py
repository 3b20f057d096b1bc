"""The baseline toasts keep each latency's number and unit on one line.

Before: at 80 columns `b` said "Baseline marked: GET /docs/:id 155" on one line of its
toast and "ms, GET /search 329 ms" on the next ("2.22" / "s" for a slow route): a toast
wraps at any space, a no-break space too (Textual's wrap takes U+00A0 for a space), so
the toasts that list p99.9s write them as one word ("155ms", "2.22s"), and the warning
of `b` just after a fault says "the 60s window". The pane, the alerts, the timeline and
the report still say "2.22 s".
"""

from __future__ import annotations

import re
from itertools import pairwise

from textual.widgets._toast import Toast

from backends.clock import FrozenClock
from backends.durations import latency
from tests.conftest import T0
from tests.helpers import local_app, wait_for
from tui.app import WatchfloorApp
from tui.baseline_words import listed

SPLIT = re.compile(r"\d$")  # a line ending in a number ...
UNIT = re.compile(r"^(ms|s)\b")  # ... whose unit starts the next


def toast_lines(app: WatchfloorApp) -> list[list[str]]:
    """Each toast shown, as the lines it is drawn in (its title first)."""
    toasts = list(app.screen.query(Toast))
    return [[t.render_line(y).text.strip() for y in range(t.size.height)] for t in toasts]


def split_units(lines: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for a, b in pairwise(lines) if SPLIT.search(a) and UNIT.match(b)]


async def test_at_80_columns_the_baseline_toast_keeps_each_number_with_its_unit() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("b")
        await wait_for(pilot, lambda: bool(app.screen.query(Toast)), what="the toast")
        await pilot.pause()
        (lines,) = toast_lines(app)
        assert lines[0] == "p99.9 baseline", lines
        assert len(lines) > 2, lines  # wrapped: the case this is about
        assert split_units(lines) == [], lines
        text = " ".join(lines[1:])
        for route, p999 in app.baselines.items():
            assert f"{route} {latency(p999, sep='')}" in text, text


def test_the_toast_words_of_a_baseline_are_one_word_per_latency() -> None:
    p999 = {"GET /docs/:id": 155.2, "GET /search": 2220.0, "GET /fast": 9.46}
    assert listed(p999) == "GET /docs/:id 155 ms, GET /search 2.22 s, GET /fast 9.5 ms"
    assert listed(p999, toast=True) == "GET /docs/:id 155ms, GET /search 2.22s, GET /fast 9.5ms"
    assert latency(None, sep="") == "—"
