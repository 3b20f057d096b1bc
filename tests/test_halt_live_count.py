"""The HALT ALL dialog's count of open windows follows the faults source while it is open.
It was the count when `H` was pressed: another operator (or `watchfloor faults schedule`
on the same data dir) scheduled a second window, the panes behind the dialog showed 2,
and the dialog still said "1 open window(s) seen"."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.widgets import Static

from backends.models import Actor, FaultRequest, FaultSpec
from backends.wiring import Sources
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui.app import WatchfloorApp
from tui.screens.halt import HaltScreen


def shown(app: WatchfloorApp) -> str:
    texts = [w.render() for w in app.screen.query(Static)]
    return "\n".join(t.plain if isinstance(t, Text) else str(t) for t in texts)


async def schedule_elsewhere(other: Sources, host: str) -> None:
    """As a second operator on the same data dir does: its own sources, its own name."""
    spec = FaultSpec(target_host=host, namespace="stage", delay_ms=300, delay_percent=20)
    req = FaultRequest(spec=spec, reason="drill from a laptop", duration=timedelta(minutes=5))
    await other["faults"].schedule(req, Actor(name="erin"))


async def test_the_halt_dialog_counts_a_window_scheduled_while_it_is_open() -> None:
    app = local_app()
    other = local_sources()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, app.all_panes_filled, what="data")
            await schedule_elsewhere(other, "docs-api")
            await app.refresh_now("faults")
            await pilot.press("H")
            await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT ALL")
            assert "1 open window(s) seen" in shown(app)
            await pilot.press(*"pager fired")  # typing meanwhile: kept as it is

            await schedule_elsewhere(other, "search-api")
            await wait_for(
                pilot, lambda: "2 open window(s) seen" in shown(app), within=10, what="2 seen"
            )
            assert isinstance(app.screen, HaltScreen)
            assert app.screen.value("halt-reason") == "pager fired"
    finally:
        await other.aclose()
