"""`R` on the github backend (local GitHub server), driven with keys like a release captain:
a rehearsal rolls back a real environment, so Enter in the reason only moves on; the
dialog names the release and where it runs, and it takes ROLLBACK typed out (as HALT ALL
takes HALT). A refusal from the backend (one is already running) keeps the dialog open
with the reason as typed."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from backends.models import ReleaseSnapshot, StageStatus
from tests.fake_github import FakeGitHub
from tests.github_helpers import github_sources
from tests.github_payloads import OWNER, REHEARSAL, REPO
from tests.helpers import SIZE, wait_for
from tui.app import WatchfloorApp
from tui.screens.rehearsal import RehearsalScreen

REASON = "stage rollback drill before m47"


def dialog_text(app: WatchfloorApp) -> str:
    return " ".join(str(w.render()) for w in app.screen.query("Static"))


def dispatches(gh: FakeGitHub) -> list[object]:
    return [p.body for p in gh.requests("POST", f"/workflows/{REHEARSAL}/dispatches")]


def release(app: WatchfloorApp) -> ReleaseSnapshot | None:
    snap = app.snapshots.get("release")
    return snap if isinstance(snap, ReleaseSnapshot) else None


def rehearsal_running(app: WatchfloorApp) -> bool:
    snap = release(app)
    reh = snap.rehearsal if snap is not None else None
    return reh is not None and reh.status is StageStatus.RUNNING


async def open_dialog(pilot: Pilot[None], app: WatchfloorApp) -> RehearsalScreen:
    await wait_for(pilot, lambda: getattr(release(app), "release", None) is not None, what="data")
    await pilot.press("R")
    await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen), what="the dialog")
    assert isinstance(app.screen, RehearsalScreen)
    return app.screen


async def test_enter_in_the_reason_does_not_trigger_the_rehearsal(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = WatchfloorApp(github_sources(gh, monkeypatch, poll_s=0.2))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, app)
        await pilot.press(*REASON, "enter")  # the reason, then a stray Enter or two
        await pilot.pause(0.3)
        assert app.screen is screen and dispatches(gh) == []
        assert screen.focused is not None and screen.focused.id != "reason"  # moved on
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen is screen and dispatches(gh) == []
        assert "ROLLBACK" in str(screen.query_one("#rehearsal-error").render())
        # it names what is rolled back and where, as the backend reports them
        text = dialog_text(app)
        assert gh.data["release"]["tag_name"] in text
        assert f"{OWNER}/{REPO} {REHEARSAL} @ main" in text
        await pilot.press("escape")  # cancelled: nothing is sent
        await pilot.pause(0.3)
        assert not isinstance(app.screen, RehearsalScreen) and dispatches(gh) == []


async def test_typing_rollback_triggers_exactly_one_rehearsal(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = github_sources(gh, monkeypatch, poll_s=0.2)
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, app)
        await pilot.press(*REASON, "enter", *"rollback", "enter")  # not in capitals
        await pilot.pause(0.3)
        assert app.screen is screen and dispatches(gh) == []
        await pilot.press("ctrl+u", *"ROLLBACK", "enter")
        await wait_for(pilot, lambda: app.screen is not screen, what="the dialog to close")
        await pilot.pause(0.3)
        assert dispatches(gh) == [{"ref": "main"}]
        assert not isinstance(app.screen, RehearsalScreen)
        records = await sources["audit"].records(limit=50)
        mine = [r for r in records if r.action == "rollback-rehearsal"]
        assert sorted(r.phase for r in mine) == ["outcome", "request"]
        assert {r.details.get("reason") for r in mine if r.phase == "request"} == {REASON}


async def test_a_refusal_keeps_the_dialog_and_the_reason(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rehearsal is already running: the dialog says so, since when, and keeps the reason
    (it closed, and the reason was lost, with a toast)."""
    running = gh.data["runs"][REHEARSAL][0]
    running.update(status="in_progress", conclusion=None)
    app = WatchfloorApp(github_sources(gh, monkeypatch, poll_s=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: rehearsal_running(app), what="the running rehearsal")
        screen = await open_dialog(pilot, app)
        await pilot.press(*REASON, "enter", *"ROLLBACK", "enter")
        error = screen.query_one("#rehearsal-error")
        await wait_for(pilot, lambda: "already running" in str(error.render()), what="the refusal")
        assert app.screen is screen
        assert screen.query_one("#reason", Input).value == REASON
        started = datetime.fromisoformat(running["run_started_at"])
        said = str(error.render())
        assert str(running["id"]) in said and f"since {started:%H:%M:%S}Z" in said
        assert dispatches(gh) == []
