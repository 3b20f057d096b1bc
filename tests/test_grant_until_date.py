"""A grant that ends on another day (UTC) says which: granted at 23:00Z for 4 h, the toast
read "erin has sre-oncall until 03:00:00Z", as if it had ended hours ago, and the timeline
the same. Dated the way `faults schedule` dates a window's start (backends/fault_times.py);
a grant that ends today still reads as a bare time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backends.clock import FrozenClock
from backends.contracts import ActionRefused
from tests.conftest import T0
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tests.test_read_only import toasts
from tui.panes.grants import GrantsPane
from tui.screens.grant import GrantScreen


async def test_a_grant_ending_tomorrow_says_its_date_in_the_toast_and_the_timeline() -> None:
    clock = FrozenClock(T0 + timedelta(hours=14))  # 23:00Z on the 16th
    app = local_app(clock)
    secret = await enroll(app.sources, app.sources.ctx.actor)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) == 3, what="demo grants")
        for ttl, subject in (("4h", "erin"), ("30m", "frank")):
            await pilot.press("g")
            await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="the form")
            for text in (subject, "sre-oncall", "INC-77 fix"):
                await pilot.press(*text, "enter")
            await pilot.press(
                "end", "ctrl+u", *ttl, "enter", *code_at(secret, clock.now()), "enter"
            )
            await wait_for(pilot, lambda: len(app.screen_stack) == 1, what=f"{subject}'s grant")
            clock.advance(31)  # a step-up code is good once: the next one

        erin = next(g for g in pane.grant_list().grants if g.subject == "erin")
        said = f"erin has sre-oncall until 03-17 03:00:00Z ({erin.id})"
        assert said in toasts(app)
        assert any(t.startswith("frank has sre-oncall until 23:30:31Z (") for t in toasts(app))
        texts = [e.text for e in app.timeline.events if e.kind == "grant"]
        assert "dave granted sre-oncall to erin until 2026-03-17 03:00:00Z: INC-77 fix" in texts
        assert "dave granted sre-oncall to frank until 23:30:31Z: INC-77 fix" in texts


async def test_revoking_a_grant_that_ended_on_another_day_says_that_day() -> None:
    """`watchfloor grants revoke ID` the morning after: "expired at 23:30:00Z" read as
    tonight, still to come."""
    clock = FrozenClock(T0 + timedelta(hours=14))  # 23:00Z
    src = local_sources(clock)
    secret = await enroll(src)
    g = await src["grants"].grant(req(code_at(secret, clock.now())), ME)  # to 23:30Z
    clock.advance(10 * 3600)  # 09:00Z the next day
    with pytest.raises(ActionRefused) as refused:
        await src["grants"].revoke(g.id, ME, "INC-77 closed, tidy up")
    await src.aclose()
    assert str(refused.value) == f"grant {g.id} expired at 03-16 23:30:00Z: nothing to revoke"
