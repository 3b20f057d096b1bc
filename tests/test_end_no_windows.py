"""`e` on the faults pane with no fault window listed at all ("No fault windows. The mesh
is as it was built.") said "No open window to end: every window here has ended", of
windows that never were. It says that only where every window listed has ended."""

from __future__ import annotations

from datetime import timedelta

from backends.models import Actor, FaultRequest, FaultSpec
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.panes.faults import FaultsPane


def said(app: WatchfloorApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_e_on_an_empty_faults_pane_does_not_speak_of_ended_windows() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("2")
        assert app.query_one(FaultsPane).has_focus_within
        assert not app.snapshots["faults"].windows  # type: ignore[union-attr]
        await pilot.press("e")
        await wait_for(pilot, lambda: bool(said(app)), what="a toast")
        (message,) = said(app)
        assert "ended" not in message, message
        assert message.startswith("No open window to end"), message
        assert "no fault window is listed" in message, message


async def test_e_where_every_window_listed_has_ended_says_so() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        faults, actor = app.sources["faults"], Actor(name="dave")
        spec = FaultSpec(target_host="docs-api", namespace="stage", abort_percent=5)
        req = FaultRequest(spec=spec, reason="drill search", duration=timedelta(minutes=5))
        w = await faults.schedule(req, actor)
        await faults.end(w.id, actor, "drill is over now")
        await app.refresh_now("faults")
        await pilot.press("2", "e")
        await wait_for(pilot, lambda: bool(said(app)), what="a toast")
        assert said(app) == ["No open window to end: every window here has ended"]
