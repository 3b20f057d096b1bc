"""A dialog closed (Esc) while its request is still with the backend: the request was
sent and cannot be unsent, so its outcome still reaches the user, as a toast naming the
action, and nothing crashes or closes some other dialog. (A refusal went to a dialog
that no longer existed and was lost; a success popped whatever screen was on top, or
raised with none, and its toast and timeline note were lost.)"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen

from backends.contracts import ActionRefused
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.panes.grants import GrantsPane
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.grant import GrantScreen
from tui.screens.halt import HaltScreen
from tui.screens.rehearsal import RehearsalScreen
from tui.screens.revoke import RevokeScreen

REFUSAL = "the backend said no"


class Gate:
    """Holds a source's action until `release`, then refuses it (`refuse`) or runs it."""

    def __init__(self, mp: pytest.MonkeyPatch, src: Any, action: str, refuse: bool = False) -> None:
        self.started = asyncio.Event()
        self.open = asyncio.Event()
        real = getattr(src, action)

        async def held(*args: Any, **kwargs: Any) -> Any:
            self.started.set()
            await self.open.wait()
            if refuse:
                raise ActionRefused(REFUSAL)
            return await real(*args, **kwargs)

        mp.setattr(src, action, held)


def toasts(app: WatchfloorApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def type_in(pilot: Pilot[None], values: list[str | None]) -> None:
    """Each field in order (None keeps what is there); Enter moves on, then submits."""
    for text in values:
        keys = [] if text is None else ["home", "ctrl+k", *text]
        await pilot.press(*keys, "enter")


FAULT = ["docs-api", "stage", "800ms", "30", None, None, None, None, None, None, None, "drill docs"]


def rehearsed(app: WatchfloorApp) -> str:
    """How the rehearsal's toasts name it: with the release it rolls back."""
    return f"Rollback rehearsal of {app.snapshots['release'].release.tag}"  # type: ignore[union-attr]


Named = Callable[[WatchfloorApp], str]
FORMS: dict[str, tuple[str, type[Screen[Any]], str, str, list[str | None], Named]] = {
    # name: (key, dialog, source, action, what is typed, how the toasts name it)
    "grant": (
        "g",
        GrantScreen,
        "grants",
        "grant",
        ["dave@example.com", "db-reader", "INC-4711 need the replica", None, "123456"],
        lambda _: "Grant for dave@example.com (db-reader)",
    ),
    "halt": ("H", HaltScreen, "faults", "halt_all", ["pager fired", "HALT"], lambda _: "HALT ALL"),
    "fault": (
        "f",
        FaultWindowScreen,
        "faults",
        "schedule",
        FAULT,
        lambda _: "Fault window on stage/docs-api",
    ),
    "rehearsal": (
        "R",
        RehearsalScreen,
        "release",
        "trigger_rehearsal",
        ["monthly rollback drill", "ROLLBACK"],
        rehearsed,
    ),
}


async def send_and_close(
    pilot: Pilot[None], app: WatchfloorApp, name: str, gate_of: Any
) -> tuple[Gate, str]:
    """Open the dialog, submit it, and press Esc while its request is held."""
    key, dialog, cap, action, typed, named = FORMS[name]
    gate: Gate = gate_of(app.sources[cap], action)
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, dialog), what=name)
    await type_in(pilot, typed)
    await asyncio.wait_for(gate.started.wait(), 5)
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(app.screen, dialog), what="closed")
    return gate, named(app)


@pytest.mark.parametrize("name", list(FORMS))
async def test_a_refusal_after_esc_is_shown_as_a_toast(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        gate, what = await send_and_close(
            pilot, app, name, lambda src, action: Gate(monkeypatch, src, action, refuse=True)
        )
        assert any("still being sent" in t and what in t for t in toasts(app)), toasts(app)
        gate.open.set()
        expected = f"{what} refused: {REFUSAL}"
        await wait_for(pilot, lambda: any(expected in t for t in toasts(app)), within=5)
        assert app.is_running and app.screen is app.main_screen


async def test_a_success_after_esc_is_shown_and_another_dialog_stays_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        gate, _ = await send_and_close(
            pilot, app, "halt", lambda src, action: Gate(monkeypatch, src, action, refuse=False)
        )
        await pilot.press("f")  # meanwhile, another dialog
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        form = app.screen
        gate.open.set()
        await wait_for(pilot, lambda: any(t.startswith("HALT ALL: ") for t in toasts(app)))
        await wait_for(
            pilot, lambda: any(e.text.startswith("HALT ALL by") for e in app.timeline.events)
        )
        await pilot.pause(0.2)
        assert app.screen is form  # the HALT ALL outcome did not close the fault form


async def test_a_success_after_esc_with_nothing_open_is_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        gate, _ = await send_and_close(
            pilot, app, "fault", lambda src, action: Gate(monkeypatch, src, action, refuse=False)
        )
        gate.open.set()
        await wait_for(pilot, lambda: any("Fault window started" in t for t in toasts(app)))
        assert app.is_running and app.screen is app.main_screen


async def test_a_revoke_refused_after_esc_is_shown_as_a_toast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) > 0, what="demo grants")
        gate = Gate(monkeypatch, app.sources["grants"], "revoke", refuse=True)
        await pilot.press("4", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
        assert isinstance(app.screen, RevokeScreen)
        grant = app.screen.grant
        await pilot.press(*"INC-4711 mitigated", "enter", "enter")
        await asyncio.wait_for(gate.started.wait(), 5)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, RevokeScreen), what="closed")
        gate.open.set()
        expected = f"Revoke of {grant.id} ({grant.subject}) refused: {REFUSAL}"
        await wait_for(pilot, lambda: any(expected in t for t in toasts(app)), within=5)
        assert app.is_running


async def test_a_success_under_the_palette_closes_the_dialog_once_it_is_back_on_top(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        gate = Gate(monkeypatch, app.sources["faults"], "halt_all", refuse=False)
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT ALL")
        halt = app.screen
        await type_in(pilot, ["pager fired", "HALT"])
        await asyncio.wait_for(gate.started.wait(), 5)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        gate.open.set()
        await wait_for(pilot, lambda: any(t.startswith("HALT ALL: ") for t in toasts(app)))
        await pilot.pause(0.2)
        assert isinstance(app.screen, CommandPalette)  # not closed in the dialog's place
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="both closed")
        assert halt not in app.screen_stack
