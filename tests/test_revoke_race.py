"""Bob revoked a grant alice revoked a moment before (her revoke got in between his read of
it and his write): his audit outcome read "failed: ActionRefused: grant '93367b395705'
was no longer active", a Python class name, in every timeline that read the trail. Now
it says what happened in words: refused, and who had revoked it and when."""

from __future__ import annotations

import re

import pytest

from backends.models import Actor
from tests.helpers import SIZE, local_app, wait_for
from tests.race_helpers import ahead_of, sources_of
from tests.test_revoke_in_flight import REASON, listed
from tui.screens.revoke import RevokeScreen
from tui.screens.timeline import TimelineScreen

REFUSED = r"refused: grant {gid} was no longer active \(revoked by alice at \d\d:\d\d:\d\dZ\)"


async def test_a_revoke_that_lost_the_race_is_audited_in_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = sources_of(monkeypatch, "alice")
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "bob")
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: len(listed(app)) > 0, what="demo grants")
        await pilot.press("4", "home", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="the revoke")
        assert isinstance(app.screen, RevokeScreen)
        grant = app.screen.grant
        ahead_of(monkeypatch, app.sources, "revoke", lambda: alice["grants"].revoke(
            grant.id, Actor(name="alice"), "done with it, revoking"
        ))  # fmt: skip
        await pilot.press(*REASON, "enter", "enter")
        await wait_for(pilot, lambda: grant.id not in [g.id for g in listed(app)], what="gone")
        records = await app.sources["audit"].records(limit=100)
        (bobs,) = [
            r.outcome
            for r in records
            if r.action == "revoke" and r.phase == "outcome" and r.actor == "bob"
        ]
        assert re.fullmatch(REFUSED.format(gid=grant.id), bobs), bobs

    later = local_app()  # a dashboard started later: its timeline reads the trail
    async with later.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(later.screen, TimelineScreen), what="timeline")
        screen = later.screen
        assert isinstance(screen, TimelineScreen)

        def bobs_revoke() -> list[str]:
            # "bob (os user dave) revoke alice@example.com:sre-oncall refused: …"
            return [e.text for e in screen.events if e.text.startswith("bob (os user dave) revoke")]

        await wait_for(pilot, lambda: bool(bobs_revoke()), what="bob's revoke, from the trail")
        (line,) = bobs_revoke()
        assert "ActionRefused" not in line and "failed" not in line, line
        assert re.search(REFUSED.format(gid=grant.id), line), line
    await alice.aclose()
