"""What the forms say about their keys follows [keys]. With `"grant.cancel" = "f3"` a grant
being sent still said "(sent: Esc closes this, …)", and Esc did nothing; a form submitted
after a switch to a read-only profile said "(esc closes)"; the revoke dialog, with its
Enter moved (`revoke.enter`), "Press Enter again to revoke …"; a grant revoked elsewhere,
"… nothing was sent. Esc closes."; R, once the run of a dispatch whose answer was lost is
listed, "it was sent. Esc closes."; and `e` with several windows open, "pick one here
(↑ ↓)" with the table's keys moved (on an ended row, "pick an open one (↑ ↓)"). Each
form's Enter has an id too (`grant.enter`, `halt.enter`…: tests/test_form_enter_keys.py),
and "Enter sends again" names the key it is moved to."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Static

from backends.models import Actor, FaultRequest, FaultSpec
from tests.fake_github import FakeGitHub
from tests.github_helpers import github_sources
from tests.helpers import SIZE, local_sources, wait_for
from tests.test_form_in_flight import FORMS, Gate, toasts, type_in
from tests.test_keys_messages import open_window
from tests.test_profile_read_only import PROFILES
from tests.test_rehearsal_lost import listed
from tui.app import WatchfloorApp
from tui.cli import dashboard_app, parser
from tui.commands.common import load_config
from tui.panes.faults import FaultsPane
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.form import RequestModal
from tui.screens.rehearsal import RehearsalScreen
from tui.screens.revoke import RevokeScreen

CANCEL = "f3"


def said(screen: Screen[Any]) -> str:
    assert isinstance(screen, RequestModal)
    return str(screen.query_one(f"#{screen.ERROR_ID}", Static).render())


@pytest.mark.parametrize("name", list(FORMS))
async def test_while_sending_a_form_names_its_cancel_key_as_remapped(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, dialog, cap, action, typed, _ = FORMS[name]
    app = WatchfloorApp(local_sources(), keymap={f"{name}.cancel": CANCEL})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        gate = Gate(monkeypatch, app.sources[cap], action, refuse=True)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, dialog), what=name)
        screen = app.screen
        await type_in(pilot, typed)
        await asyncio.wait_for(gate.started.wait(), 5)
        await pilot.pause()
        assert f"(sent: {CANCEL} closes this, and the outcome" in said(screen), said(screen)
        await pilot.press(CANCEL)  # and it does
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")
        gate.open.set()


async def test_the_revoke_dialog_names_its_enter_and_cancel_keys_as_remapped() -> None:
    """Its reason, then its key for Enter: "Press f2 again"; a grant gone meanwhile."""
    app = WatchfloorApp(local_sources(), keymap={"revoke.enter": "f2", "revoke.cancel": CANCEL})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("4", "home", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
        screen = app.screen
        assert isinstance(screen, RevokeScreen)
        await pilot.press(*"INC-4711 mitigated", "f2")
        await wait_for(pilot, lambda: "again to revoke" in said(screen), what="the question")
        assert said(screen) == f"Press f2 again to revoke {screen.grant.id} now."
        await app.sources["grants"].revoke(screen.grant.id, Actor(name="frank"), "done there")
        await app.refresh_now("grants")
        await wait_for(pilot, lambda: not screen.listed, what="the grant gone")
        await pilot.press("f2")
        await wait_for(pilot, lambda: "nothing was sent" in said(screen), what="gone")
        assert said(screen).endswith(f"nothing was sent. {CANCEL} closes."), said(screen)
        await pilot.press(CANCEL)
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")


def write_config(tmp_path: Path) -> Path:
    cfg = tmp_path / "profiles.toml"
    cfg.write_text(f'[keys]\n"fault.cancel" = "{CANCEL}"\n{PROFILES}', encoding="utf-8")
    return cfg


async def test_a_form_refused_in_read_only_mode_names_its_cancel_key(tmp_path: Path) -> None:
    from tests.test_faults_pilot import fill, form

    args = parser().parse_args(["--config", str(write_config(tmp_path))])
    app = dashboard_app(args, load_config(args))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        screen = app.screen
        await app.switch_profile("prod")
        await wait_for(pilot, lambda: "read-only" in app.sub_title, what="read-only prod")
        await fill(pilot, form("stage"))
        await wait_for(pilot, lambda: "Read-only" in said(screen), what="the refusal")
        assert f"({CANCEL} closes)" in said(screen) and "esc" not in said(screen), said(screen)
        assert "sends again" not in said(screen)  # it would be refused again


async def test_r_names_its_cancel_key_once_a_lost_dispatch_shows_as_sent(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = github_sources(gh, monkeypatch, poll_s=0.2, timeout_s=1)
    app = WatchfloorApp(sources, keymap={"rehearsal.cancel": CANCEL})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: listed(app), what="release data")
        gh.delay_s = 1.5  # GitHub starts the run; its 204 comes after our timeout
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen), what="R")
        screen = app.screen
        await pilot.press(*"drill before tonight cut", "enter", *"ROLLBACK", "enter")
        await wait_for(pilot, lambda: "outcome is unknown" in said(screen), what="the failure")
        gh.heal()
        await wait_for(pilot, lambda: "it was sent" in said(screen), what="its run listed")
        assert said(screen).endswith(f"it was sent. {CANCEL} closes."), said(screen)


async def test_end_with_several_windows_open_names_the_tables_keys_as_remapped() -> None:
    keymap = {"table.up": "f7", "table.down": "f8"}
    app = WatchfloorApp(local_sources(), keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await open_window(app)
        await open_window(app)
        await pilot.press("1", "e")  # from the latency pane: which window is a guess
        asks = "windows are open: pick one here"
        await wait_for(pilot, lambda: any(asks in t for t in toasts(app)), what="the question")
        told = next(t for t in toasts(app) if asks in t)
        assert "pick one here (f7 f8) and press e again" in told, told


async def test_end_on_an_ended_row_names_the_tables_keys_as_remapped() -> None:
    from tests.test_read_only import toasts as said_toasts

    app = WatchfloorApp(local_sources(), keymap={"table.up": "f7", "table.down": "f8"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        faults, erin = app.sources["faults"], Actor(name="erin")
        for host in ("docs-api", "search-api"):
            spec = FaultSpec(target_host=host, namespace="stage", abort_percent=5)
            w = await faults.schedule(FaultRequest(spec=spec, reason="drill errors"), erin)
        await faults.end(w.id, erin, "search drill over")  # search-api ended, docs-api open
        await app.refresh_now("faults")
        pane = app.query_one(FaultsPane)
        await wait_for(pilot, lambda: pane.table().row_count == 2, what="both windows")
        await pilot.press("2", "home")
        row = 0 if pane.selected and pane.selected.id == w.id else 1
        await pilot.press(*["f8"] * row, "e")
        assert pane.selected is not None and pane.selected.id == w.id  # the ended one
        told = "The window under the cursor has ended: pick an open one (f7 f8)"
        assert told in said_toasts(app), said_toasts(app)
