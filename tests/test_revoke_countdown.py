"""The revoke dialog's countdown runs while it is open, on the app's clock, and once the
grant is past its expiry it says how long ago (it said "expires in 4m10s" for as long as
it stayed open, computed once when it opened)."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from backends.clock import FrozenClock
from backends.models import Actor
from tests.conftest import T0
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui.app import WatchfloorApp
from tui.fmt import duration
from tui.panes.grants import GrantsPane
from tui.screens.revoke import RevokeScreen


def holding(app: WatchfloorApp) -> str:
    """The dialog's lines that say who holds (or held) what."""
    return "\n".join(
        text
        for s in app.screen.query(Static)
        for text in [str(s.render())]
        if " holds " in text or " held " in text
    )


async def test_the_revoke_dialog_counts_down_and_says_when_it_expired() -> None:
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) > 0, what="demo grants")
        await pilot.press("4", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
        screen = app.screen
        assert isinstance(screen, RevokeScreen)
        left = screen.grant.expires_at - clock.now()
        assert left.total_seconds() > 90
        assert f"expires in {duration(left)}" in holding(app)

        clock.advance(75)
        shown = f"expires in {duration(left.total_seconds() - 75)}"
        await wait_for(pilot, lambda: shown in holding(app), within=3, what=shown)

        clock.advance(left.total_seconds() - 75 + 3)  # 3 s past its expiry, still open
        await wait_for(pilot, lambda: "expired 3s ago" in holding(app), within=3, what="expiry")
        assert "expires in" not in holding(app)
        assert app.screen is screen


def error_line(app: WatchfloorApp) -> str:
    return str(app.screen.query_one("#revoke-error", Static).render())


async def test_a_grant_revoked_elsewhere_is_said_gone_and_not_revoked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Revoked from another terminal while the dialog is open: after the next grants poll
    the dialog says it is no longer listed, and Revoke says so instead of sending one."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) > 0, what="demo grants")
        await pilot.press("4", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
        screen = app.screen
        assert isinstance(screen, RevokeScreen)
        assert "expires in" in holding(app)

        src = app.sources["grants"]
        await src.revoke(screen.grant.id, Actor(name="erin"), "revoked from another terminal")
        sent: list[str] = []

        async def revoke(grant_id: str, actor: Actor, reason: str) -> None:
            sent.append(grant_id)

        monkeypatch.setattr(src, "revoke", revoke)
        listed = "no longer listed: revoked elsewhere"
        await wait_for(pilot, lambda: listed in holding(app), within=6, what="said gone")
        assert "expires in" not in holding(app)

        assert " held " in holding(app) and " holds " not in holding(app)
        why = "revoked elsewhere by erin: revoked from another terminal"
        gone = f"{screen.grant.id} is no longer listed ({why}): nothing was sent"
        await pilot.press(*"INC-4711 mitigated", "enter")  # the reason: it says so already
        assert gone in error_line(app)
        await pilot.click("#confirm")
        await pilot.pause(0.2)
        assert gone in error_line(app)
        assert sent == [] and app.screen is screen  # nothing sent, still open


async def test_revoked_elsewhere_after_the_confirm_prompt_says_so_not_the_backend_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At "Press Enter again", revoked from another shell before the next poll: Enter sent
    it and showed the backend's "no active grant with id '…'", under a heading that said
    the subject still "holds" the role. Now it says which way it went, and "held"."""
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "60")  # no poll in between
    app = local_app()
    other = local_sources()  # the other shell
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) > 0, what="demo grants")
        await pilot.press("4", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
        screen = app.screen
        assert isinstance(screen, RevokeScreen)
        await pilot.press(*"no longer needed here", "enter")
        assert "Press Enter again" in error_line(app)

        await other["grants"].revoke(screen.grant.id, Actor(name="frank"), "from the other shell")
        await pilot.press("enter")
        why = "revoked elsewhere by frank: from the other shell"
        said = f"{screen.grant.id} is no longer listed ({why}): the revoke sent found it gone"
        await wait_for(pilot, lambda: said in error_line(app), what=said)
        assert "no active grant" not in error_line(app)
        assert " held " in holding(app) and " holds " not in holding(app)
        assert "no longer listed: revoked elsewhere by frank" in holding(app)
        assert app.screen is screen
    await other.aclose()


async def test_a_grant_that_expired_with_the_dialog_open_says_no_age_that_goes_stale() -> None:
    """The heading said "it expired 8s ago" while the message below, written a second
    earlier, said "it expired 7s ago": the message now says no age, the heading keeps
    counting."""
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(GrantsPane)
        await wait_for(pilot, lambda: len(pane.grant_list().grants) > 0, what="demo grants")
        await pilot.press("4", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
        screen = app.screen
        assert isinstance(screen, RevokeScreen)
        clock.advance((screen.grant.expires_at - clock.now()).total_seconds() + 7)
        await app.refresh_now("grants")  # reaped
        await wait_for(pilot, lambda: "it expired 7s ago" in holding(app), what="gone, 7s")
        await pilot.press(*"no longer needed here", "enter")
        said = f"{screen.grant.id} is no longer listed (it expired): nothing was sent"
        assert said in error_line(app)
        clock.advance(1)
        await wait_for(pilot, lambda: "it expired 8s ago" in holding(app), what="8s")
        assert " ago" not in error_line(app)
