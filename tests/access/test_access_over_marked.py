"""A deny rate over the spike threshold is marked `!` (and the headline says the threshold
where it has room), as the Latency pane marks a p99.9 over its SLO: with NO_COLOR (or a
terminal without colour) the red alone was gone.

Before: over SSH with NO_COLOR=1 the row `tenant=globex 47.0%` and the headline
`deny 21.8%` looked as a rate under the threshold does; README: "No state is told by
colour alone".
"""

from __future__ import annotations

import pytest

from backends.models import DenyRateRow
from tests.access.test_access_notes_fit import PANE_WIDTHS, settle
from tests.access.test_spike_alert import spike
from tests.test_snapshots import PaneHarness
from tui.panes.access import AccessPane


def painted(app: PaneHarness) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("terminal", PANE_WIDTHS)
async def test_with_no_color_a_rate_over_the_threshold_is_marked(
    terminal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    snap = spike()  # 21.8% against a baseline of 8.5%: over 17.0%
    quiet = DenyRateRow.of("tenant", "initech", 500, 20, ())  # 4.0%: under it
    snap = snap.model_copy(update={"rows": (*snap.rows, quiet)})
    pane = AccessPane(classes="pane")
    app = PaneHarness(pane, snap)
    async with app.run_test(size=(PANE_WIDTHS[terminal], 10)) as pilot:
        await settle(pilot)
        assert app.no_color
        lines = painted(app)
        headline = next(line for line in lines if "deny 21.8%" in line)
        assert "deny 21.8%! of 1,908" in headline, lines
        if terminal == "120x36":  # room for what `!` means
            assert "! over 17.0%" in headline, lines
        rows = {line.split()[1]: line.split()[2] for line in lines if "tenant=" in line}
        assert rows == {
            "tenant=globex": "47.0%!",
            "tenant=acme": "42.8%!",
            "tenant=initech": "4.0%",
        }


async def test_under_the_threshold_nothing_is_marked() -> None:
    snap = spike().model_copy(update={"deny_rate": 0.12, "rows": ()})
    pane = AccessPane(classes="pane")
    app = PaneHarness(pane, snap)
    async with app.run_test(size=(96, 10)) as pilot:
        await settle(pilot)
        headline = next(line for line in painted(app) if "deny 12.0%" in line)
        assert "!" not in headline and "over" not in headline
