"""The `watchfloor` script holds the cyclic collector during start-up (tui.entry); the
dashboard's first frame and every headless command turn it back on."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tests.helpers import SIZE, local_app, wait_for
from tui import entry


@pytest.fixture
def collector_restored() -> Iterator[None]:
    try:
        yield
    finally:
        gc.enable()


def test_a_headless_command_runs_with_the_collector_on(
    collector_restored: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert entry.main(["config", "check"]) == 0
    assert gc.isenabled()
    assert "ok" in capsys.readouterr().out.lower()


async def test_the_dashboards_first_frame_turns_the_collector_back_on(
    collector_restored: None,
) -> None:
    entry.hold_collector()
    assert not gc.isenabled()
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, gc.isenabled, what="the collector after the first frame")
        assert app.all_panes_filled()  # primed: the first frame already had the data
