"""A grant gone from the list is said revoked or expired as its source says (`how`), not
guessed from `revoked_by`. A source that names who reaped a grant that ran out
(revoked_by "reaper") had the dialogs say "revoked elsewhere by reaper"; one that does not
name who revoked a grant had them say "it expired" (the revoke dialog with a negative
age, "it expired -…s ago"), and the timeline "grant … expired at …" for a revoke."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from backends.clock import FrozenClock
from backends.models import Actor, Grant, GrantsSnapshot
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.test_details_pilot import open_details, shown
from tests.test_revoke_countdown import holding
from tui.app import WatchfloorApp
from tui.panes.grants import GrantsPane
from tui.screens.revoke import RevokeScreen


def ends_said(app: WatchfloorApp, monkeypatch: pytest.MonkeyPatch, **said: str) -> None:
    """The grants source's ended grants, with `said` (revoked_by="reaper", ...) in each."""
    src = app.sources["grants"]
    snapshot: Callable[[], Awaitable[GrantsSnapshot]] = src.snapshot

    async def with_said() -> GrantsSnapshot:
        snap = await snapshot()
        ended = tuple(e.model_copy(update=said) for e in snap.ended)
        return snap.model_copy(update={"ended": ended})

    monkeypatch.setattr(src, "snapshot", with_said)


async def gone(app: WatchfloorApp, clock: FrozenClock, g: Grant, *, revoke: bool) -> None:
    """`g` ends: revoked by erin from elsewhere, or it runs out (5 s ago)."""
    if revoke:
        await app.sources["grants"].revoke(g.id, Actor(name="erin"), "INC-4711 access done")
    else:
        clock.advance((g.expires_at - clock.now()).total_seconds() + 5)
    await app.refresh_now("grants")


async def revoke_dialog(pilot: Any, app: WatchfloorApp) -> RevokeScreen:
    """Esc from the details, `r` on the grant now under the cursor."""
    await pilot.press("escape", "r")
    await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
    assert isinstance(app.screen, RevokeScreen)
    return app.screen


async def test_a_reaped_grant_reads_expired_though_its_source_names_the_reaper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FrozenClock(T0)
    app = local_app(clock)
    ends_said(app, monkeypatch, revoked_by="reaper", reason="ttl expired")
    async with app.run_test(size=SIZE) as pilot:
        gl = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="demo grants")
        await pilot.press("4")
        details = await open_details(pilot, app)
        await gone(app, clock, gl.grants[0], revoke=False)
        said = "no longer listed (it expired)"
        await wait_for(pilot, lambda: said in shown(details), within=6, what="said expired")
        assert "reaper" not in shown(details)

        screen = await revoke_dialog(pilot, app)  # the next grant: it runs out too
        await gone(app, clock, screen.grant, revoke=False)
        said = "no longer listed: it expired 5s ago"
        await wait_for(pilot, lambda: said in holding(app), within=6, what=said)
        assert "reaper" not in holding(app)


async def test_a_revoked_grant_reads_revoked_though_its_source_does_not_say_by_whom(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FrozenClock(T0)
    app = local_app(clock)
    ends_said(app, monkeypatch, revoked_by="", reason="")
    async with app.run_test(size=SIZE) as pilot:
        gl = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="demo grants")
        await pilot.press("4")
        first = gl.grants[0]
        details = await open_details(pilot, app)
        await gone(app, clock, first, revoke=True)
        said = "no longer listed (revoked elsewhere)"
        await wait_for(pilot, lambda: said in shown(details), within=6, what="said revoked")
        assert "expired" not in shown(details)

        screen = await revoke_dialog(pilot, app)
        await gone(app, clock, screen.grant, revoke=True)
        said = "no longer listed: revoked elsewhere"
        await wait_for(pilot, lambda: said in holding(app), within=6, what=said)
        assert "expired" not in holding(app)
        # and the timeline: revoked (by whom, not said), not "grant … expired at …"
        ends = {e.key: e.text for e in app.timeline.events if e.key.endswith(":end")}
        for g in (first, screen.grant):
            assert ends[f"grant:{g.id}:end"] == f"grant {g.id} ({g.role} for {g.subject}) revoked"
