"""An active window's countdown fits its cell at 80x24 with the scroll marker shown: a
window with 10-59 minutes left read `49m54s le…` (the count whole, "left" cut), as
"49m54s left" is a cell wider than the "1h02m left" the column was sized for. Now,
where the room is short, it says "49m left" (and "49m54s left" where there is room)."""

from __future__ import annotations

import re
from datetime import timedelta

from textual.pilot import Pilot

from backends.models import Actor, FaultRequest, FaultSpec, FaultsSnapshot
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.panes.faults import FaultsPane

WHERE = (("stage", "search-api"), ("stage", "docs-api"), ("stage", "gateway"), ("dev", "docs-api"))


def lines(app: WatchfloorApp) -> list[str]:
    """The table's rows as the pane shows them, the scroll marker's cell included."""
    table = app.query_one(FaultsPane).table()
    return [table.render_line(y).text for y in range(1, table.size.height)]


def row(app: WatchfloorApp, host: str) -> str:
    return next(line for line in lines(app) if f"stage/{host} " in line)


async def windows(app: WatchfloorApp, pilot: Pilot[None]) -> None:
    """search-api active for 50 minutes; three more, more rows than the pane shows."""
    faults, erin = app.sources["faults"], Actor(name="erin")
    for i, (ns, host) in enumerate(WHERE):
        spec = FaultSpec(target_host=host, namespace=ns, delay_ms=800, delay_percent=30)
        req = FaultRequest(
            spec=spec,
            reason="game day drill",
            start_in=timedelta(minutes=0 if i == 0 else 5 + i),
            duration=timedelta(minutes=50),
        )
        await faults.schedule(req, erin)
    await app.refresh_now("faults")
    table = app.query_one(FaultsPane).table()
    await wait_for(pilot, lambda: table.row_count == len(WHERE), what="the windows shown")
    await pilot.pause()


async def test_at_80x24_with_the_scroll_marker_the_countdown_says_left_whole() -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await windows(app, pilot)
        table = app.query_one(FaultsPane).table()
        assert table.text_width < table.size.width, "the scroll marker is shown"
        active = row(app, "search-api")
        assert "…" not in active, lines(app)
        assert re.search(r"stage/search-api +49m left", active), lines(app)
        assert re.search(r"stage/docs-api +in 5m5\ds", row(app, "docs-api")), lines(app)


async def test_with_room_the_countdown_keeps_its_seconds() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await windows(app, pilot)
        assert re.search(r"stage/search-api +49m5\ds left +active", row(app, "search-api"))


async def test_a_long_target_gives_way_to_the_countdown_at_80x24() -> None:
    """'stage/search-api.stage.svc.cluster.local' (the FQDN a kube user may type) filled
    the 28 cells the pane has at 80 columns: the countdown, the state and all were a →
    away. The namespace's own suffix goes (the details say the host whole), and a target
    still too long is cut, so the countdown stays."""
    from tests.test_faults_snapshots import OK, window
    from tests.test_snapshots import PaneHarness

    hosts = ("search-api.stage.svc.cluster.local", "ledger-reconciliation-worker-eu")
    snap = FaultsSnapshot(
        observed_at=T0,
        health=OK,
        source="kube",
        windows=tuple(
            window(f"w{i}", "stage", -1, 51, applied=True).model_copy(
                update={
                    "spec": FaultSpec(
                        target_host=h, namespace="stage", delay_ms=800, delay_percent=9
                    )
                }
            )
            for i, h in enumerate(hosts)
        ),
    )
    app = PaneHarness(FaultsPane(), snap)
    async with app.run_test(size=(28, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(FaultsPane).table()
        shown = [table.render_line(y).text for y in range(1, 3)]
    assert re.match(r"stage/search-api +50m left", shown[0]), shown
    assert re.match(r"stage/ledger-\S*… +50m left", shown[1]), shown
