"""Messages that name a key name the key [keys] gives it. With `app.quit = "Q"` the quit
warning still said "Press q again to quit; H halts them all" (and offered H in a
read-only profile, where H is refused), the wait for an action being sent "q again quits
now"; the release pane "press n for the notes of …" with `release.notes = "N"`; "No grant
selected (4 focuses the grants pane)" with `focus.grants = "7"`; the alert strip
"+N more · A lists all" with `alerts.list` remapped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.geometry import Region

from backends.clock import FrozenClock
from backends.models import Actor, FaultRequest, FaultSpec
from tests.conftest import T0
from tests.helpers import SIZE, local_sources, wait_for
from tests.test_alerts_list import alert
from tests.test_form_in_flight import Gate, toasts
from tests.test_quit_in_flight import revoke_and_esc
from tests.test_release_fit import lines
from tui.app import WatchfloorApp
from tui.panes.alerts import AlertStrip

QUIT_HALT = {"app.quit": "Q", "faults.halt": "ctrl+x"}


async def open_window(app: WatchfloorApp) -> None:
    spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=300, delay_percent=20)
    req = FaultRequest(spec=spec, reason="drill before a quit", duration=timedelta(minutes=5))
    await app.sources["faults"].schedule(req, Actor(name="erin"))
    await app.refresh_now("faults")


@pytest.mark.parametrize("read_only", [False, True])
async def test_the_quit_warning_names_the_quit_and_halt_keys_as_remapped(read_only: bool) -> None:
    app = WatchfloorApp(local_sources(), keymap=QUIT_HALT, read_only=read_only)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await open_window(app)
        await pilot.press("Q")
        asks = "Quit with fault windows open?"
        await wait_for(pilot, lambda: any(asks in t for t in toasts(app)), what="the question")
        said = next(t for t in toasts(app) if asks in t)
        if read_only:  # H is refused there: not offered
            assert said.endswith(" Press Q again to quit."), said
        else:
            assert said.endswith(" Press Q again to quit; ^x halts them all."), said
        await pilot.press("Q")
        await wait_for(pilot, lambda: app.return_code is not None, within=5, what="the quit")


async def test_the_wait_for_an_action_names_the_quit_key(monkeypatch: pytest.MonkeyPatch) -> None:
    app = WatchfloorApp(local_sources(), keymap={"app.quit": "Q"})
    async with app.run_test(size=SIZE) as pilot:
        gate = Gate(monkeypatch, app.sources["grants"], "revoke")
        await revoke_and_esc(pilot, app, gate)
        await pilot.press("Q")
        await wait_for(pilot, lambda: any("Waiting" in t for t in toasts(app)), what="the wait")
        said = next(t for t in toasts(app) if "Waiting" in t)
        assert "Q again quits now" in said and "q again" not in said, said
        gate.open.set()
        await wait_for(pilot, lambda: app.return_code is not None, within=10, what="the quit")


@pytest.mark.parametrize(
    ("size", "hint"), [((160, 50), "press N for the notes of"), ((80, 24), "N: notes of")]
)
async def test_the_release_pane_names_the_notes_key(size: tuple[int, int], hint: str) -> None:
    clock = FrozenClock(T0)
    app = WatchfloorApp(local_sources(clock), clock=clock, keymap={"release.notes": "N"})
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.pause()
        status = next(line for line in lines(app) if line.startswith("rollback rehearsal:"))
        assert f"{hint} v2026.03.16-m3" in status, status


async def test_no_grant_selected_names_the_grants_pane_key() -> None:
    app = WatchfloorApp(local_sources(), keymap={"focus.grants": "7"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("1", "r")  # from the latency pane: which grant is a guess
        said = "No grant selected (7 focuses the grants pane)"
        await wait_for(pilot, lambda: any(said in t for t in toasts(app)), what=said)


async def test_the_alert_strip_names_the_key_of_all_alerts() -> None:
    app = WatchfloorApp(local_sources(), keymap={"alerts.list": "L"}, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        strip = app.query_one(AlertStrip)
        strip.alerts = tuple(alert(k, i) for i, k in enumerate("abcde"))
        await pilot.pause()
        last = "".join(seg.text for seg in strip.render_lines(Region(0, 0, 80, 3))[2])
        assert last.strip().startswith("+3 more · L lists all"), last
