"""Grant and revoke break-glass access like a user: keys, the modals, the grants pane."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from backends.models import Grant
from tests.grant_helpers import code_at, enroll
from tests.helpers import SIZE, local_sources, wait_for
from tui.app import WatchfloorApp
from tui.panes.grants import GrantList, GrantsPane
from tui.screens.grant import GrantScreen
from tui.screens.revoke import RevokeScreen


def erin_grants(app: WatchfloorApp) -> list[Grant]:
    return [g for g in app.query_one(GrantsPane).grant_list().grants if g.subject == "erin"]


async def test_grant_then_revoke_like_a_user(monkeypatch: pytest.MonkeyPatch) -> None:
    # polls a minute apart: the pane shows a grant or revoke at once, not at the next poll
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "60")
    sources = local_sources()
    secret = await enroll(sources, sources.ctx.actor)
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) == 3, what="demo grants")

        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GrantScreen)
        form = screen  # stays a GrantScreen for mypy: `app.screen is screen` widens `screen`
        assert screen.value("ttl") == "30m"  # the default TTL
        now = app.clock.now()
        good = code_at(secret, now)
        wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
        for text in ("erin", "sre-oncall", "INC-77 fix"):
            await pilot.press(*text, "enter")
        await pilot.press("enter")  # keep 30m
        await pilot.press(*wrong, "enter")
        error = screen.query_one("#grant-error")
        await wait_for(pilot, lambda: "wrong" in str(error.render()), what="the refusal")
        assert app.screen is screen  # still open, nothing lost
        assert form.value("subject") == "erin"
        assert form.value("reason") == "INC-77 fix"
        assert form.value("code") == wrong
        assert erin_grants(app) == []

        code = screen.query_one("#code", Input)
        code.value = ""
        code.focus()
        await pilot.press(*good, "enter")
        await wait_for(pilot, lambda: app.screen is not screen, what="the modal to close")
        await wait_for(pilot, lambda: len(erin_grants(app)) == 1, 3, what="erin's grant")
        granted = erin_grants(app)[0]
        assert granted.role == "sre-oncall" and granted.granted_by == sources.ctx.actor

        await pilot.press("4")
        gl = pane.grant_list()
        assert isinstance(app.focused, GrantList)
        await pilot.press("home")
        target = next(i for i, g in enumerate(gl.grants) if g.id == granted.id)
        for _ in range(target):
            await pilot.press("down")
        assert gl.selected is not None and gl.selected.id == granted.id
        await pilot.press("r")
        await pilot.pause()
        revoke = app.screen
        assert isinstance(revoke, RevokeScreen) and revoke.grant.id == granted.id
        await pilot.press(*"short", "enter")  # too short: refused in the modal
        assert "at least 10" in str(revoke.query_one("#revoke-error").render())
        await pilot.press(*" and done")  # typing on: the refusal is about what was typed
        assert "at least 10" not in str(revoke.query_one("#revoke-error").render())
        assert revoke.query_one("#reason", Input).value == "short and done"
        await pilot.press("enter")  # the reason, then confirm
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not revoke, what="the revoke to finish")
        await wait_for(pilot, lambda: erin_grants(app) == [], 3, what="the grant to disappear")
        # the timeline says who revoked it and why, once (it said "grant … ended")
        ends = [e.text for e in app.timeline.events if e.key == f"grant:{granted.id}:end"]
        actor = sources.ctx.actor
        assert ends == [f"{actor} revoked grant {granted.id} (sre-oncall for erin): short and done"]

    records = await sources["audit"].records(100)
    mine = [(r.action, r.phase, r.outcome) for r in records if r.actor == sources.ctx.actor]
    assert mine == [
        ("grant", "request", ""),
        ("grant", "outcome", "applied"),
        ("revoke", "request", ""),
        ("revoke", "outcome", "applied"),
    ]
    assert records[-2].details["reason"] == "short and done"


async def test_cursor_keys_and_palette_commands() -> None:
    app = WatchfloorApp(local_sources())
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) == 3, what="demo grants")
        await pilot.press("4", "end")
        gl = pane.grant_list()
        assert gl.cursor == 2
        await pilot.press("up")
        assert gl.cursor == 1
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Grant break-glass access", "Revoke selected grant"} <= titles
        await app.action_revoke_selected()
        await pilot.pause()
        assert isinstance(app.screen, RevokeScreen) and app.screen.grant == gl.grants[1]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RevokeScreen)
        assert len(gl.grants) == 3
