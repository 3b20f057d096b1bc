"""Snapshots of the fault-window pane in every state it can show, and of its two modals.
Update deliberately: `pytest tests/test_faults_snapshots.py --snapshot-update`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input

from backends.models import (
    FaultGuards,
    FaultSpec,
    FaultsSnapshot,
    FaultWindow,
    HealthState,
    SourceHealth,
)
from tests.conftest import T0
from tui.panes.faults import FaultsPane
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.halt import HaltScreen

CSS = Path(__file__).resolve().parent.parent / "tui" / "watchfloor.tcss"
OK = SourceHealth(state=HealthState.OK, last_ok_at=T0)


def window(i: str, ns: str, start: float, minutes: float, **kw: Any) -> FaultWindow:
    spec = {"delay_ms": 800, "delay_percent": 30}
    spec.update(kw.pop("spec", {}))
    return FaultWindow(
        id=i,
        spec=FaultSpec(target_host="docs-api", namespace=ns, **spec),
        owner="erin",
        reason="game day: docs-api latency drill",
        starts_at=T0 + timedelta(minutes=start),
        ends_at=T0 + timedelta(minutes=start + minutes),
        **kw,
    )


def states() -> FaultsSnapshot:
    return FaultsSnapshot(
        observed_at=T0,
        health=OK,
        source="kube",
        windows=(
            window(
                "guarded", "stage", -1, 10, guards=FaultGuards(p999_ms_above=1500), applied=True
            ),
            window(
                "tripped",
                "stage",
                -9,
                10,
                started_at=T0 - timedelta(minutes=9),  # it ran: a guard ended it
                ended_early_at=T0 - timedelta(minutes=2),
                end_reason="guard: GET /docs/:id p99.9 2100 ms > 1500 ms",
            ),
            window(
                "halted",
                "dev",
                -20,
                30,
                started_at=T0 - timedelta(minutes=20),
                ended_early_at=T0,
                end_reason="HALT ALL: pager",
            ),
            window("leaking", "dev", -30, 10, applied=True),
            window("in-prod", "prod", -1, 10, applied=True, spec={"abort_percent": 5}),
        ),
    )


class PaneHarness(App[None]):
    CSS_PATH = str(CSS)

    def compose(self) -> ComposeResult:
        yield FaultsPane(classes="pane")

    def on_mount(self) -> None:
        pane = self.query_one(FaultsPane)
        pane.now = T0
        pane.snapshot = states()


class ModalHarness(App[None]):
    CSS_PATH = str(CSS)

    def __init__(self, screen: Any) -> None:
        super().__init__()
        self.modal = screen

    def on_mount(self) -> None:
        self.push_screen(self.modal)


def test_faults_pane_states(snap_compare: Any) -> None:
    assert snap_compare(PaneHarness(), terminal_size=(130, 10))


def test_schedule_modal_refuses_prod(snap_compare: Any) -> None:
    async def type_prod(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, FaultWindowScreen)
        for field, value in {
            "host": "docs-api",
            "namespace": "prod",
            "delay": "800ms",
            "delay_percent": "30",
            "reason": "game day: docs-api latency drill",
        }.items():
            screen.query_one(f"#{field}", Input).value = value
        screen.submit()
        await pilot.pause()

    app = ModalHarness(FaultWindowScreen("erin"))
    assert snap_compare(app, terminal_size=(100, 34), run_before=type_prod)


def test_halt_modal(snap_compare: Any) -> None:
    async def wrong_word(pilot: Pilot[None]) -> None:
        await pilot.press(*"pager", "enter", *"halt", "enter")
        await pilot.pause()

    app = ModalHarness(HaltScreen(3, "kube"))
    assert snap_compare(app, terminal_size=(90, 24), run_before=wrong_word)
