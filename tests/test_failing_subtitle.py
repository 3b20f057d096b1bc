"""A failing pane's border subtitle says why first. At 80x24 it read "✖ error ·
prometheus · no data yet · conn…" and, once the data had an age, "✖ error · prometheus ·
data 1m09…": the cause (and then the age) past the edge, over SSH nothing to hover.
Now the cause leads, and the host and the source go before the cause is cut."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from rich.cells import cell_len
from textual.geometry import Region

from backends.config import load
from backends.models import HealthState, SourceHealth
from backends.wiring import build_sources
from tests.conftest import T0
from tests.dead_servers import refusing
from tests.helpers import SIZE, wait_for
from tests.prom_server import PromAPIStub, running_stub
from tui.app import WatchfloorApp
from tui.fmt import health_text


def bottom_border(app: WatchfloorApp, cap: str) -> str:
    """The pane's bottom border as it is painted: "╰─ ✖ connection refused · … ─╯"."""
    pane = app.pane(cap)
    width, height = pane.outer_size
    return pane.render_lines(Region(0, height - 1, width, 1))[0].text


def prom_app(url: str) -> WatchfloorApp:
    env = {
        **os.environ,
        "WATCHFLOOR_PANES__LATENCY": "prometheus",
        "WATCHFLOOR_BACKENDS__PROMETHEUS__URL": url,
        "WATCHFLOOR_BACKENDS__PROMETHEUS__TIMEOUT_S": "1",
    }
    return WatchfloorApp(build_sources(load(env=env)))


@pytest.fixture
def stub() -> Iterator[PromAPIStub]:
    with running_stub() as s:
        yield s


async def test_at_80x24_a_pane_that_never_answered_says_why() -> None:
    with refusing() as port:
        app = prom_app(f"http://127.0.0.1:{port}")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: "✖" in bottom_border(app, "latency"), what="error")
            line = bottom_border(app, "latency")
            assert "✖ connection refused · no data yet ─╯" in line, line


async def test_at_80x24_the_cause_and_the_age_of_the_last_data_both_show(
    stub: PromAPIStub,
) -> None:
    app = prom_app(stub.url)
    async with app.run_test(size=(80, 24)) as pilot:
        # the stub answers with no series: an answering source with no data
        await wait_for(pilot, lambda: "○ no data" in bottom_border(app, "latency"), what="data")
        stub.fail_next(10**6)
        await wait_for(pilot, lambda: "s old" in bottom_border(app, "latency"), what="age")
        line = bottom_border(app, "latency")
        assert "✖ HTTP 500: injected · data " in line and "…" not in line, line


async def test_a_wider_terminal_shows_the_host_and_the_source_too() -> None:
    with refusing() as port:
        app = prom_app(f"http://127.0.0.1:{port}")
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: "✖" in bottom_border(app, "latency"), what="error")
            line = bottom_border(app, "latency")
            where = f"connection refused (127.0.0.1:{port}) · no data yet · prometheus"
            assert f"✖ {where} ─╯" in line, line
            await pilot.resize_terminal(80, 24)
            await wait_for(
                pilot,
                lambda: "✖ connection refused · no data yet ─╯" in bottom_border(app, "latency"),
                what="the short subtitle at 80 columns",
            )


@pytest.mark.parametrize("width", [8, 12, 20, 21, 26, 30, 33, 42, 60, 90])
def test_the_cause_comes_first_in_any_width(width: int) -> None:
    health = SourceHealth(
        state=HealthState.ERROR,
        last_error="connection refused (127.0.0.1:9090); retry in 1.2s",
        last_ok_at=T0 - timedelta(seconds=69),
    )
    text = health_text(health, T0, "prometheus", width).plain
    assert cell_len(text) <= width, text
    assert text.startswith("✖ connection refused"[: width - 1]), text
    if width >= len("✖ connection refused · 1m09s old"):
        assert text.startswith("✖ connection refused") and "1m09s old" in text, text
