"""`e`'s dialog open on bob's dashboard while alice ends the window from hers (or the
command line): the dialog kept its last message ("at least 10 characters") and its End
button, as if there were still something to end; only Enter then found out. Now, pushed
the window as the faults source lists it, it says the window has already ended (by whom,
why), the End button is disabled, and Enter sends nothing: the end is audited once."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Static

from backends.models import Actor, FaultRequest, FaultSpec, FaultsSnapshot, WindowState
from tests.helpers import SIZE, local_app, wait_for
from tests.race_helpers import sources_of
from tui.app import WatchfloorApp
from tui.screens.end_window import EndWindowScreen

ALICE = Actor(name="alice")
SPEC = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=800, delay_percent=20)


def said(screen: EndWindowScreen) -> str:
    return str(screen.query_one("#end-error", Static).render())


def state_of(app: WatchfloorApp, wid: str) -> WindowState | None:
    snap = app.snapshots.get("faults")
    windows = snap.windows if isinstance(snap, FaultsSnapshot) else ()
    return next((w.state(app.clock.now()) for w in windows if w.id == wid), None)


async def test_the_end_dialog_says_the_window_ended_elsewhere_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "1")
    alice = sources_of(monkeypatch, "alice")
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "bob")
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        w = await alice["faults"].schedule(FaultRequest(spec=SPEC, reason="docs drill"), ALICE)
        await wait_for(pilot, lambda: state_of(app, w.id) is WindowState.ACTIVE, what="active")
        await pilot.press("e")  # the one open window
        await wait_for(pilot, lambda: isinstance(app.screen, EndWindowScreen), what="dialog")
        screen = app.screen
        assert isinstance(screen, EndWindowScreen)
        await pilot.press(*"drill", "enter")  # too short: a message, the focus stays
        await wait_for(pilot, lambda: "at least 10" in said(screen), what="the refusal")
        await alice["faults"].end(w.id, ALICE, "drill over, all fine")
        await wait_for(
            pilot, lambda: "already ended" in said(screen), what="the end noticed", within=5
        )
        assert "at least 10" not in said(screen)
        assert "by alice: drill over, all fine" in said(screen), said(screen)
        assert "nothing to end" in said(screen)
        assert screen.query_one("#end", Button).disabled
        await pilot.press(*" over now", "enter", "enter")
        await pilot.pause(0.3)
        assert not screen.busy
        assert app.screen is screen
        records = await app.sources["audit"].records(limit=100)
        ends = [r for r in records if r.action == "fault-end" and r.phase == "request"]
        assert [r.actor for r in ends] == ["alice"]  # bob sent nothing
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")
    await alice.aclose()
