"""`R` on the github backend when the dispatch's answer is lost (GitHub holds its replies
past the timeout), driven like a user.

The dialog said "failed: GitHubError: read timed out after 10 s (...), in POST
actions/workflows/rollback-rehearsal.yml/dispatches · Enter sends again"; Enter sent it
again, GitHub accepted both, two rollback rehearsals ran, and the audit trail called both
"failed". Now it says the rehearsal may have started, clears ROLLBACK, says so once the
run is listed, and sends nothing more; the audit outcome is "unknown".
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from backends.models import ReleaseSnapshot
from tests.fake_github import FakeGitHub
from tests.github_helpers import github_sources
from tests.github_payloads import REHEARSAL
from tests.helpers import SIZE, wait_for
from tui.app import WatchfloorApp
from tui.screens.rehearsal import RehearsalScreen


def said(screen: RehearsalScreen) -> str:
    return str(screen.query_one("#rehearsal-error", Static).render())


def listed(app: WatchfloorApp) -> bool:
    snap = app.snapshots.get("release")
    return isinstance(snap, ReleaseSnapshot) and snap.current is not None


async def test_a_dispatch_that_timed_out_is_not_sent_again(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = github_sources(gh, monkeypatch, poll_s=0.2, timeout_s=1)
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: listed(app), what="release data")
        gh.delay_s = 1.5  # GitHub starts the run; its 204 comes after our timeout
        await pilot.press("R")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RehearsalScreen)
        await pilot.press(*"drill before tonight cut", "enter", *"ROLLBACK", "enter")
        await wait_for(pilot, lambda: "outcome is unknown" in said(screen), what="the failure")
        text = said(screen)
        assert text.startswith("Sent, but its outcome is unknown: read timed out after 1 s")
        assert "The rehearsal may have started" in text and "Enter sends again" not in text
        assert "GitHubError" not in text
        confirm = screen.query_one("#rehearsal-confirm", Input)
        assert confirm.value == "" and screen.focused is confirm  # a fresh ROLLBACK needed
        gh.heal()
        await pilot.press("enter")  # Enter again, as before: nothing is sent
        await pilot.pause()
        assert "Type ROLLBACK" in said(screen)
        await wait_for(
            pilot,
            lambda: "A rehearsal run is listed since the dispatch" in said(screen),
            what="the run it started",
        )
        assert "it was sent" in said(screen) and "Enter sends again" not in said(screen)
        await pilot.press(*"ROLLBACK", "enter")  # confirmed afresh: that one is going
        await wait_for(pilot, lambda: "already running" in said(screen), what="the refusal")
        assert isinstance(app.screen, RehearsalScreen)
    assert len(gh.requests("POST", f"/workflows/{REHEARSAL}/dispatches")) == 1
    records = await sources["audit"].records(limit=50)
    outcomes = [r.outcome for r in records if r.action == "rollback-rehearsal" and r.outcome]
    assert len(outcomes) == 1 and outcomes[0].startswith("unknown: read timed out after 1 s")
    assert outcomes[0].endswith("(may have been sent)")
