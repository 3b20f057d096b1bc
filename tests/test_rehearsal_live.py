"""`R` while a cut is running, on the local simulation: the dialog keeps what it names
current. When the cut publishes while it is open, it names the new release, says that it
changed since it opened, and the next Enter is refused once saying so, so a confirmation
is only taken for the release shown; the audit record names the release rolled back."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from backends.clock import FrozenClock
from backends.local.sources import REHEARSAL_TARGET
from backends.models import ReleaseSnapshot, StageStatus
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.screens.rehearsal import RehearsalScreen

# At T0 the simulation's cut m4 has failed and m3 is the latest release; cut m5 starts
# 150 s later and publishes at about 290 s, followed by its own rehearsal (done by 340 s).
OLD, NEW = "v2026.03.16-m3", "v2026.03.16-m5"
REASON = "monthly rollback drill before the next cut"
RUNNING = StageStatus.RUNNING
NOTICE = f"The latest release is now {NEW} (was {OLD})"


def release(app: WatchfloorApp) -> ReleaseSnapshot:
    snap = app.snapshots.get("release")
    assert isinstance(snap, ReleaseSnapshot)
    return snap


def tag(app: WatchfloorApp) -> str:
    snap = app.snapshots.get("release")
    ok = isinstance(snap, ReleaseSnapshot) and snap.release is not None
    return snap.release.tag if ok else ""  # type: ignore[union-attr]


def manual_running(app: WatchfloorApp) -> bool:
    reh = release(app).rehearsal
    return reh is not None and reh.run_id == "rehearsal-manual-1" and reh.status is RUNNING


def said(app: WatchfloorApp) -> str:
    """What the dialog shows, all of it."""
    return " ".join(str(w.render()) for w in app.screen.query("Static"))


async def open_dialog(pilot: Pilot[None], app: WatchfloorApp) -> RehearsalScreen:
    await wait_for(pilot, lambda: tag(app) == OLD, what="the latest release")
    await pilot.press("R")
    await wait_for(pilot, lambda: isinstance(app.screen, RehearsalScreen), what="the dialog")
    assert isinstance(app.screen, RehearsalScreen)
    assert OLD in said(app) and "last: success (rehearsal-m3)" in said(app)
    return app.screen


async def rehearsals(pilot: Pilot[None], audit: Any) -> list[Any]:
    """The rollback-rehearsal audit records, once the request and its outcome are in."""
    found: list[Any] = []
    for _ in range(100):  # bounded: 5 s
        found = [r for r in await audit.records(limit=50) if r.action == "rollback-rehearsal"]
        if len(found) >= 2:
            break
        await pilot.pause(0.05)
    return found


async def test_rollback_typed_before_a_cut_published_is_not_taken_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tester's case: R while m5 runs, the reason and ROLLBACK typed, m5 publishes,
    Enter. The dialog names m5 as soon as it is the latest, says it changed, and that Enter
    is refused once, saying so; the next one triggers it, audited as m5's rollback."""
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "0.2")
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, app)
        await pilot.press(*REASON, "enter", *"ROLLBACK")

        clock.advance(300)  # m5 publishes; its own rehearsal runs
        await wait_for(pilot, lambda: NEW in said(app), what="the dialog to name m5")
        assert f"was {OLD} when this opened" in said(app)
        assert "last: running (rehearsal-m5)" in said(app)
        assert REHEARSAL_TARGET in said(app)
        assert NOTICE in said(app)

        clock.advance(60)  # m5's rehearsal is done: a manual one is no longer refused
        await wait_for(
            pilot, lambda: "last: success (rehearsal-m5)" in said(app), what="it to be done"
        )
        await pilot.press("enter")  # ROLLBACK was typed for m3: refused once, saying so
        await pilot.pause(0.3)
        assert app.screen is screen
        assert NOTICE in str(screen.query_one("#rehearsal-error").render())
        records = await app.sources["audit"].records(limit=50)
        assert not [r for r in records if r.action == "rollback-rehearsal"]
        await pilot.press("enter")  # now for the release shown
        await wait_for(pilot, lambda: app.screen is not screen, what="the dialog to close")
        records = await rehearsals(pilot, app.sources["audit"])
        assert [r.phase for r in records] == ["request", "outcome"]
        assert records[0].details == {
            "os_user": "dave",  # who ran it (tests/conftest.py)
            "reason": REASON,
            "release": NEW,
            "target": REHEARSAL_TARGET,
        }


async def test_rollback_typed_after_the_change_was_shown_triggers_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "0.2")
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, app)
        clock.advance(360)  # m5 published, and its own rehearsal done
        await wait_for(pilot, lambda: NOTICE in said(app), what="the change to be shown")
        await wait_for(
            pilot, lambda: "last: success (rehearsal-m5)" in said(app), what="it to be done"
        )
        await pilot.press(*REASON, "enter", *"ROLLBACK", "enter")
        await wait_for(pilot, lambda: app.screen is not screen, what="the dialog to close")
        records = await rehearsals(pilot, app.sources["audit"])
        assert [(r.phase, r.outcome) for r in records] == [
            ("request", ""),
            ("outcome", "applied"),
        ]
        assert records[0].details["release"] == NEW
        await wait_for(pilot, lambda: manual_running(app), what="the manual rehearsal")
