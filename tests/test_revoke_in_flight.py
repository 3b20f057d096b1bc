"""A revoke still with the backend, its dialog closed with Esc: `r` on the same (still
listed) grant says the revoke is already being sent and opens no second dialog, and the
grant's details do the same; so one revoke goes out, not two. (Both went out, and the
audit trail had two revoke requests and two applied outcomes.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.pilot import Pilot

from backends.contracts import ActionRefused
from backends.models import Grant
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.panes.grants import GrantsPane
from tui.screens.grant_details import GrantDetailsScreen
from tui.screens.revoke import RevokeScreen

REFUSAL = "the backend said no"
REASON = "INC-4711 mitigated, access no longer needed"


class SlowRevoke:
    """Holds the grants source's revoke until `open` is set, then runs it (or refuses it);
    the grant ids it was called with."""

    def __init__(self, mp: pytest.MonkeyPatch, src: Any, *, refuse: bool = False) -> None:
        self.started = asyncio.Event()
        self.open = asyncio.Event()
        self.calls: list[str] = []
        real = src.revoke

        async def held(grant_id: str, *args: Any, **kwargs: Any) -> Any:
            self.calls.append(grant_id)
            self.started.set()
            await self.open.wait()
            if refuse:
                raise ActionRefused(REFUSAL)
            return await real(grant_id, *args, **kwargs)

        mp.setattr(src, "revoke", held)


def toasts(app: WatchfloorApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def listed(app: WatchfloorApp) -> list[Grant]:
    return list(app.query_one(GrantsPane).grant_list().grants)


async def revoke_and_esc(pilot: Pilot[None], app: WatchfloorApp, gate: SlowRevoke) -> Grant:
    """`r` on the first grant, a reason, Enter Enter, and Esc while it is being sent."""
    await wait_for(pilot, lambda: len(listed(app)) > 0, what="demo grants")
    await pilot.press("4", "home", "r")
    await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="the revoke")
    assert isinstance(app.screen, RevokeScreen)
    grant = app.screen.grant
    await pilot.press(*REASON, "enter", "enter")
    await asyncio.wait_for(gate.started.wait(), 5)
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(app.screen, RevokeScreen), what="closed")
    return grant


async def revokes(app: WatchfloorApp, grant: Grant) -> list[tuple[str, str]]:
    """The revokes of `grant` in the audit trail: each request and its outcome."""
    records = await app.sources["audit"].records(limit=100)
    asked = {r.id for r in records if r.action == "revoke" and grant.id in str(r.details)}
    return [(r.phase, r.outcome) for r in records if r.id in asked]


async def test_a_second_revoke_of_a_grant_being_revoked_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "60")  # the row stays listed meanwhile
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        gate = SlowRevoke(monkeypatch, app.sources["grants"])
        grant = await revoke_and_esc(pilot, app, gate)
        assert grant.id in [g.id for g in listed(app)]  # still listed: the revoke is held

        await pilot.press("r")  # again, on the same row
        said = f"revoke of {grant.id} is already being sent"
        await wait_for(pilot, lambda: any(said in t for t in toasts(app)), what="the refusal")
        assert not isinstance(app.screen, RevokeScreen)

        await pilot.press("enter")  # its details: `r` there is refused the same way
        await wait_for(pilot, lambda: isinstance(app.screen, GrantDetailsScreen), what="details")
        details = app.screen
        await pilot.press("r")
        await pilot.pause(0.3)
        assert app.screen is details and sum(said in t for t in toasts(app)) == 2
        await pilot.press("escape")

        gate.open.set()  # the first revoke comes back
        revoked = f"Grant {grant.id} revoked"
        await wait_for(pilot, lambda: any(revoked in t for t in toasts(app)), what="the outcome")
        await wait_for(pilot, lambda: grant.id not in [g.id for g in listed(app)], what="gone")
        assert gate.calls == [grant.id]
        assert await revokes(app, grant) == [("request", ""), ("outcome", "applied")]


async def test_once_the_backend_has_answered_r_opens_the_revoke_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refusal (here) or a failure ends the revoke in flight: it can be sent again."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        gate = SlowRevoke(monkeypatch, app.sources["grants"], refuse=True)
        grant = await revoke_and_esc(pilot, app, gate)
        gate.open.set()
        refused = f"Revoke of {grant.id} ({grant.subject}) refused: {REFUSAL}"
        await wait_for(pilot, lambda: any(refused in t for t in toasts(app)), what="refused")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="the revoke")
        assert isinstance(app.screen, RevokeScreen) and app.screen.grant.id == grant.id
