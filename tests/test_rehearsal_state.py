"""The rollback rehearsal dialog (`R`) says what is true now about the rehearsal.

Before: refused because one was already running, it went on saying so once that one had
finished (`last: success (rehearsal-manual-1)` above `a rollback rehearsal is already
running … try again when it has finished`); and with the GitHub source down from the
start it said `no rehearsal yet` where the pane said `unknown`, and named no workflow."""

from __future__ import annotations

import pytest

from backends.clock import FrozenClock
from backends.models import ReleaseSnapshot, StageStatus
from tests.conftest import T0
from tests.github_payloads import OWNER, REHEARSAL, REPO
from tests.helpers import SIZE, local_app, wait_for
from tests.test_rehearsal_live import said
from tui.app import WatchfloorApp
from tui.panes.line import Line
from tui.screens.rehearsal import RehearsalScreen

REASON = "monthly rollback drill before the next cut"


def rehearsal_status(app: WatchfloorApp) -> StageStatus | None:
    snap = app.snapshots.get("release")
    reh = snap.rehearsal if isinstance(snap, ReleaseSnapshot) else None
    return reh.status if reh is not None else None


def error_text(app: WatchfloorApp) -> str:
    return str(app.screen.query_one("#rehearsal-error").render())


async def test_a_refusal_for_a_running_rehearsal_goes_once_it_has_finished(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "0.2")
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen), what="the dialog")
        await pilot.press(*REASON, "enter", *"ROLLBACK", "enter")  # the first one runs
        await wait_for(pilot, lambda: not isinstance(app.screen, RehearsalScreen), what="sent")
        await wait_for(pilot, lambda: rehearsal_status(app) is StageStatus.RUNNING, what="it")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen), what="the dialog")
        screen = app.screen
        await pilot.press(*REASON, "enter", *"ROLLBACK", "enter")
        await wait_for(pilot, lambda: "already running" in error_text(app), what="the refusal")
        assert "last: running (rehearsal-manual-1)" in said(app)
        clock.advance(60)  # the running one is done
        await wait_for(
            pilot,
            lambda: "last: success (rehearsal-manual-1)" in said(app),
            what="the dialog to say it finished",
        )
        await pilot.pause(0.3)
        assert app.screen is screen
        assert "already running" not in error_text(app), error_text(app)
        assert "Enter sends again" in error_text(app)
        await pilot.press("enter")  # as it says: sent again, and taken this time
        await wait_for(pilot, lambda: app.screen is not screen, what="the dialog to close")


async def test_with_github_down_from_the_start_the_dialog_says_unknown_and_names_the_workflow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No token and nothing listening: the pane says `unknown`, and so does the dialog; the
    workflow, ref and inputs it would dispatch come from the configuration."""
    env = {
        "PANES__RELEASE": "github",
        "BACKENDS__GITHUB__BASE_URL": "http://127.0.0.1:9",  # nothing listens there
        "BACKENDS__GITHUB__OWNER": OWNER,
        "BACKENDS__GITHUB__REPO": REPO,
        "BACKENDS__GITHUB__POLL_S": "0.2",
        "BACKENDS__GITHUB__TIMEOUT_S": "1",
        "BACKENDS__GITHUB__REHEARSAL_INPUTS__ENV": "stage",
    }
    for k, v in env.items():
        monkeypatch.setenv(f"WATCHFLOOR_{k}", v)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:

        def pane_status() -> str:
            return str(app.pane("release").query_one("#release-status", Line).render())

        await wait_for(
            pilot, lambda: "rollback rehearsal: unknown" in pane_status(), what="the pane"
        )
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen), what="the dialog")
        await pilot.pause()
        text = said(app)
        assert "no rehearsal yet" not in text
        assert "last: unknown" in text
        target = f"{OWNER}/{REPO} {REHEARSAL} @ main (workflow_dispatch, env=stage)"
        assert target in text, text
