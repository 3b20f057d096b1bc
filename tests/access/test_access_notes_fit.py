"""The Access pane's notes (sampled, dropped, bad msgs, late, another path) are never cut
off for the sparkline.

Before: at 120x36 the summary was `deny 15.0% of 1,200 decisions in 60s · baseline 5.0%
▂▃▅▆▇█▁▂▃▅▆▇█…`: after two minutes the sparkline had grown to 24 cells and `SAMPLED: …`,
`41 bad msgs` were past the pane's edge; at 80x24 even the baseline was. Now the
sparkline gets the room the notes leave, and notes that do not fit beside the figures
go on the next line, whole."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from backends.models import AccessSnapshot
from tests.access.test_access_snapshots import sampled
from tests.test_snapshots import PaneHarness
from tui.panes.access import AccessPane
from tui.panes.spark import BARS

# the Access pane's outer width in the dashboard at 120x36 and at 80x24 (3fr of 5)
PANE_WIDTHS = {"120x36": 72, "80x24": 48}


def noisy() -> AccessSnapshot:
    """Every note at once, and two minutes of history: a full-width sparkline."""
    return sampled().model_copy(
        update={
            "history": tuple((i % 7) / 10 for i in range(60)),
            "malformed": 40,
            "oversized": 1,
            "late": 5,
            "other_path": 20,
            "other_paths": ("abac/allow",),
        }
    )


def summary_lines(pane: AccessPane) -> list[str]:
    line = pane.query_one("#access-summary")
    return [line.render_line(y).text.rstrip() for y in range(line.size.height)]


@pytest.mark.parametrize("terminal", PANE_WIDTHS)
async def test_every_note_is_shown_whole_beside_or_below_the_figures(terminal: str) -> None:
    width = PANE_WIDTHS[terminal]
    pane = AccessPane(classes="pane")
    app = PaneHarness(pane, noisy())
    async with app.run_test(size=(width, 14)) as pilot:
        await settle(pilot)
        lines = summary_lines(pane)
        text = " ".join(lines)
        assert not any(line.endswith("…") for line in lines), lines
        assert "SAMPLED: 3,400 dropped" in text, lines
        assert "41 bad msgs" in text, lines
        assert "5 late" in text, lines
        assert "abac/allow" in text and "ignored" in text, lines
        assert lines[0].startswith("deny 15.0% of 1,200"), lines
        assert "base 5.0%" in lines[0] or "baseline 5.0%" in lines[0], lines
        bars = sum(text.count(b) for b in BARS)
        assert bars <= 24, lines
        assert pane.table().display  # the table keeps its place below


async def test_at_full_width_one_line_with_the_sparkline_in_what_is_left() -> None:
    pane = AccessPane(classes="pane")
    app = PaneHarness(pane, noisy())
    async with app.run_test(size=(200, 14)) as pilot:
        await settle(pilot)
        (line,) = summary_lines(pane)
        assert line.startswith("deny 15.0% of 1,200 decisions in 60s · baseline 5.0%  ")
        assert line.endswith("20 events of another path (abac/allow) ignored"), line
        assert sum(line.count(b) for b in BARS) == 24


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.pause()
