"""`e` ended a fault window at once and asked no reason, while HALT ALL and revoke do: the
audit trail, the timeline, the report and `faults list` said "ended from the dashboard",
nothing of why. Now `e` opens a dialog naming the window (target, what it injects, when
it started, what is left) with a reason field, as revoke's: at least 10 characters,
Enter ends it, Esc cancels; the reason is in all four. `watchfloor faults end` takes
`--reason` as `grants revoke` does: required."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from backends.models import Actor, FaultRequest, FaultSpec, WindowState
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui import cli
from tui.app import WatchfloorApp
from tui.footer import KeyFooter
from tui.screens.end_window import EndWindowScreen

WHY = "drill over, checkout is fine"


async def open_window(app: WatchfloorApp) -> str:
    spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=300, delay_percent=20)
    req = FaultRequest(spec=spec, reason="drill docs latency")
    w = await app.sources["faults"].schedule(req, Actor(name="erin"))
    await app.refresh_now("faults")
    return str(w.id)


def state(app: WatchfloorApp, wid: str) -> WindowState | None:
    snap = app.snapshots["faults"]
    now = app.clock.now()
    return next((w.state(now) for w in getattr(snap, "windows", ()) if w.id == wid), None)


def said(screen: EndWindowScreen, what: str) -> str:
    return str(screen.query_one(f"#{what}", Static).render())


async def end_dialog(app: WatchfloorApp, pilot: Pilot[None], *keys: str) -> EndWindowScreen:
    await pilot.press(*keys)
    await wait_for(pilot, lambda: isinstance(app.screen, EndWindowScreen), what="the dialog")
    assert isinstance(app.screen, EndWindowScreen)
    return app.screen


def report_text(data_dir: Path) -> str:
    (md,) = data_dir.glob("gameday-*.md")
    return md.read_text(encoding="utf-8")


async def test_e_asks_why_and_the_reason_is_audited_timelined_reported_and_listed(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        wid = await open_window(app)
        screen = await end_dialog(app, pilot, "2", "e")
        what = said(screen, "end-what")
        assert "stage/docs-api" in what and "delay 300ms on 20% of requests" in what
        assert re.search(r"started \d\d:\d\d:\d\dZ \(\d+s ago\); 9m5\ds left", what), what
        assert state(app, wid) is WindowState.ACTIVE  # nothing sent yet
        await pilot.press(*"drill", "enter")  # too short: refused, as a revoke's
        await wait_for(pilot, lambda: "at least 10" in said(screen, "end-error"), what="refusal")
        assert state(app, wid) is WindowState.ACTIVE and app.screen is screen
        await pilot.press(*" over, checkout is fine", "enter")
        await wait_for(pilot, lambda: state(app, wid) is WindowState.ENDED, what="ended")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")
        actor = app.sources.ctx.actor
        records = await app.sources["audit"].records(limit=50)
        (req,) = [r for r in records if r.action == "fault-end" and r.phase == "request"]
        assert req.details["reason"] == WHY
        (out,) = [r for r in records if r.action == "fault-end" and r.phase == "outcome"]
        assert out.id == req.id and out.outcome == "applied", out  # the request's outcome
        ended = [e.text for e in app.timeline.events if f"fault window {wid}" in e.text]
        assert any(t.endswith(f"ended early, ended by {actor}: {WHY}") for t in ended), ended
        await pilot.press("x")
        await wait_for(pilot, lambda: any(data_dir.glob("gameday-*.md")), what="the report")
        assert f"ended by {actor}: {WHY}" in report_text(data_dir)
    capsys.readouterr()
    assert await asyncio.to_thread(cli.main, ["faults", "list"]) == 0  # its own event loop
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith(wid)]
    assert line.endswith(f"drill docs latency — ended by {actor}: {WHY}"), line


async def test_esc_cancels_and_nothing_is_sent() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        wid = await open_window(app)
        await end_dialog(app, pilot, "2", "e")
        await pilot.press(*WHY, "escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen, what="closed")
        await app.refresh_now("faults")
        assert state(app, wid) is WindowState.ACTIVE
        records = await app.sources["audit"].records(limit=50)
        assert not [r for r in records if r.action == "fault-end"]


async def test_e_in_a_windows_details_asks_why_too() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        wid = await open_window(app)
        await end_dialog(app, pilot, "2", "enter", "e")
        await pilot.press(*WHY, "enter")
        await wait_for(pilot, lambda: state(app, wid) is WindowState.ENDED, what="ended")
        (w,) = app.snapshots["faults"].windows  # type: ignore[union-attr]
        assert w.end_reason == f"ended by {app.sources.ctx.actor}: {WHY}"


async def test_the_end_dialogs_enter_is_remappable_and_its_footer_says_so() -> None:
    app = WatchfloorApp(local_sources(), keymap={"end.enter": "f2", "end.cancel": "f3"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        wid = await open_window(app)
        screen = await end_dialog(app, pilot, "2", "e")
        await pilot.pause()
        line = screen.query_one(KeyFooter).render().plain
        assert "f2 End window" in line and "f3 Cancel" in line, line
        await pilot.press(*"drill", "f2")
        await wait_for(pilot, lambda: "at least 10" in said(screen, "end-error"), what="refusal")
        await pilot.press(*" over, checkout is fine", "f2")
        await wait_for(pilot, lambda: state(app, wid) is WindowState.ENDED, what="ended")


def test_faults_end_takes_its_reason_as_revoke_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "alice")
    schedule = ["faults", "schedule", "--host", "docs-api", "-n", "stage", "--delay", "800ms"]
    assert cli.main([*schedule, "--delay-percent", "20", "--reason", "drill docs"]) == 0
    wid = capsys.readouterr().out.split()[0]
    with pytest.raises(SystemExit) as no_reason:  # required, as `grants revoke --reason`
        cli.main(["faults", "end", wid])
    assert no_reason.value.code == 2 and "--reason" in capsys.readouterr().err
    with pytest.raises(SystemExit) as short:
        cli.main(["faults", "end", wid, "--reason", "done"])
    assert short.value.code == 2 and "at least 10 characters" in capsys.readouterr().err
    assert cli.main(["faults", "end", wid, "--reason", WHY]) == 0
    capsys.readouterr()
    assert cli.main(["faults", "list"]) == 0
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith(wid)]
    assert line.endswith(f"— ended by alice: {WHY}"), line


@pytest.mark.parametrize("said", ["refused", "lost", "busy"])
async def test_the_end_dialog_keeps_its_message_and_buttons_in_view_at_80x24(said: str) -> None:
    from tests.test_dialog_fit import LONG, assert_whole

    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await open_window(app)
        screen = await end_dialog(app, pilot, "2", "e")
        await pilot.pause()
        if said == "refused":
            screen.refused(LONG, field="reason")
        elif said == "lost":
            screen.refused("read timed out after 10 s (127.0.0.1:443)", failed=True)
        else:
            screen.start_busy("it")
        await pilot.pause()
        await pilot.pause()
        assert_whole(app, screen)
        lines = [strip.text for strip in screen._compositor.render_strips()]
        assert any("stage/docs-api: delay 300ms" in line for line in lines), lines  # its title
