"""q while an action is still being sent (its dialog closed with Esc). It quit at once and
the action was cut off: the audit trail had the revoke's request and no outcome, the grant
stayed, and a fault window scheduled then was left with only its request audited (and the
"fault windows open" question never came, the window not being open yet). Now q waits for
it, saying which, and quits once it is back (a window then open still asks); q again
quits at once; a refusal meanwhile stops the quit, so its error is seen."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from textual.pilot import Pilot

from backends.models import Actor, AuditRecord, FaultRequest, FaultSpec, Grant
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tests.palette_helpers import run_command
from tests.test_form_in_flight import FAULT, Gate, send_and_close, toasts
from tui.app import WatchfloorApp
from tui.panes.grants import GrantsPane
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.revoke import RevokeScreen

REASON = "INC-4711 mitigated, access no longer needed"


def running(app: WatchfloorApp) -> bool:
    return app.is_running and app.return_code is None


async def revoke_and_esc(pilot: Pilot[None], app: WatchfloorApp, gate: Gate) -> Grant:
    """`r` on the first grant, a reason, Enter Enter, and Esc while it is being sent."""
    pane = app.query_one(GrantsPane)
    await wait_for(pilot, lambda: len(pane.grant_list().grants) > 0, what="demo grants")
    await pilot.press("4", "home", "r")
    await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="the revoke")
    assert isinstance(app.screen, RevokeScreen)
    grant = app.screen.grant
    await pilot.press(*REASON, "enter", "enter")
    await asyncio.wait_for(gate.started.wait(), 5)
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is app.main_screen, what="the dialog closed")
    assert any("still being sent" in t for t in toasts(app))
    return grant


async def quit_by(pilot: Pilot[None], how: str) -> None:
    if how == "palette":
        await run_command(pilot, "Quit")
    else:
        await pilot.press(how)
    await pilot.pause(0.2)


async def audit_after() -> list[AuditRecord]:
    """The audit trail as a restarted dashboard reads it from the data dir."""
    sources = local_sources()
    try:
        records: list[AuditRecord] = await sources["audit"].records(limit=200)
        return records
    finally:
        await sources.aclose()


def phases(records: list[AuditRecord], action: str, word: str) -> list[tuple[str, str]]:
    asked = {r.id for r in records if r.action == action and word in f"{r.target} {r.details}"}
    return sorted((r.phase, r.outcome) for r in records if r.id in asked)


@pytest.mark.parametrize("how", ["q", "ctrl+q", "palette"])
async def test_q_waits_for_a_revoke_being_sent_then_quits(
    how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        gate = Gate(monkeypatch, app.sources["grants"], "revoke")
        grant = await revoke_and_esc(pilot, app, gate)
        await quit_by(pilot, how)
        assert running(app)
        waiting = f"Waiting for 1 action to finish: Revoke of {grant.id} ({grant.subject})"
        assert any(waiting in t and "q again quits now" in t for t in toasts(app)), toasts(app)
        gate.open.set()
        await wait_for(pilot, lambda: app.return_code is not None, within=10, what="the quit")
    assert app.return_code == 0
    assert phases(await audit_after(), "revoke", grant.id) == [
        ("outcome", "applied"),
        ("request", ""),
    ]


async def test_q_again_while_waiting_quits_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        gate = Gate(monkeypatch, app.sources["grants"], "revoke")
        await revoke_and_esc(pilot, app, gate)
        await quit_by(pilot, "q")
        assert running(app)
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code is not None, within=5, what="the quit")
        assert not gate.open.is_set()
    assert app.return_code == 0


async def test_a_refusal_while_waiting_stops_the_quit(monkeypatch: pytest.MonkeyPatch) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        gate = Gate(monkeypatch, app.sources["grants"], "revoke", refuse=True)
        grant = await revoke_and_esc(pilot, app, gate)
        await quit_by(pilot, "q")
        gate.open.set()
        said = f"Not quitting: Revoke of {grant.id} ({grant.subject}) did not go through"
        await wait_for(pilot, lambda: any(said in t for t in toasts(app)), what="not quitting")
        await pilot.pause(0.3)
        assert running(app)
        assert any("refused: the backend said no" in t for t in toasts(app))
        assert not any(t.startswith("Waiting to quit") for t in toasts(app))


async def test_a_fault_window_being_scheduled_is_waited_for_then_q_asks_about_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        gate = Gate(monkeypatch, app.sources["faults"], "schedule")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        for text in FAULT:
            await pilot.press(*([] if text is None else ["home", "ctrl+k", *text]), "enter")
        await asyncio.wait_for(gate.started.wait(), 5)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="the form closed")
        await quit_by(pilot, "q")
        assert running(app)
        assert any("Fault window on stage/docs-api" in t for t in toasts(app)), toasts(app)
        gate.open.set()
        # back and open now: the quit asks about it, as a q with a window open does
        asks = "Quit with fault windows open?: 1 fault window(s) open: stage/docs-api"
        await wait_for(pilot, lambda: any(asks in t for t in toasts(app)), what="the question")
        await pilot.pause(0.3)
        assert running(app)
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code is not None, within=5, what="the quit")
    assert phases(await audit_after(), "fault-schedule", "docs-api") == [
        ("outcome", "applied"),
        ("request", ""),
    ]


@pytest.mark.parametrize("name", ["halt", "rehearsal"])
async def test_q_waits_for_every_kind_of_action(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """HALT ALL, a rollback rehearsal: each one sent is waited for the same way. (A grant
    here is refused, step-up not being enrolled: a refusal is the test above.)"""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        gate, what = await send_and_close(
            pilot, app, name, lambda src, action: Gate(monkeypatch, src, action)
        )
        await quit_by(pilot, "q")
        assert running(app)
        assert any(f"finish: {what}." in t for t in toasts(app)), toasts(app)
        gate.open.set()
        await wait_for(pilot, lambda: app.return_code is not None, within=10, what="the quit")


async def test_q_waits_for_the_end_of_a_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """`e` sends the end (its dialog closed with Esc once it is sent): q waits for it too,
    then quits, no window being open any more."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=300, delay_percent=20)
        req = FaultRequest(spec=spec, reason="drill before a quit", duration=timedelta(minutes=5))
        w = await app.sources["faults"].schedule(req, Actor(name="erin"))
        await app.refresh_now("faults")
        gate = Gate(monkeypatch, app.sources["faults"], "end")
        await pilot.press("e", *"drill before a quit is over", "enter")
        await asyncio.wait_for(gate.started.wait(), 5)
        await pilot.press("escape")  # the end goes on
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="the dialog closed")
        await quit_by(pilot, "q")
        assert running(app)
        assert any(f"finish: End of window {w.id} on stage/docs-api." in t for t in toasts(app))
        gate.open.set()
        await wait_for(pilot, lambda: app.return_code is not None, within=10, what="the quit")
    assert phases(await audit_after(), "fault-end", w.id) == [
        ("outcome", "applied"),
        ("request", ""),
    ]
