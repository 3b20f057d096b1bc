"""The grants cursor follows the same rule as the tables' (tui/panes/row_cursor.py): an
untouched cursor stays on the first row as the grants re-sort, a grant you picked is
followed, and a picked grant that goes leaves the cursor on a neighbouring row. The revoke
dialog is for the grant it was opened on, wherever the cursor goes meanwhile.

Before, the grants cursor followed its grant whether picked or not: a shorter grant came
in on top, and `4 r` opened the revoke dialog on the old first row, not the top one."""

from __future__ import annotations

from datetime import timedelta

from backends.clock import FrozenClock
from backends.models import Grant
from tests.conftest import T0
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import SIZE, local_app, wait_for
from tui.app import WatchfloorApp
from tui.panes.grant_list import GrantList
from tui.panes.grants import GrantsPane
from tui.screens.revoke import RevokeScreen


class Granter:
    """Grants from "another terminal" (the source, as `watchfloor grants grant` does)."""

    def __init__(self, app: WatchfloorApp, clock: FrozenClock, secret: str) -> None:
        self.app, self.clock, self.secret = app, clock, secret

    async def grant(self, subject: str, minutes: float) -> Grant:
        code = code_at(self.secret, self.clock.now())
        self.clock.advance(30)  # a code is good once: the next one 30 s later
        ttl = timedelta(minutes=minutes)
        g: Grant = await self.app.sources["grants"].grant(req(code, subject=subject, ttl=ttl), ME)
        return g


def subjects(gl: GrantList) -> list[str]:
    return [g.subject for g in gl.grants]


async def start(app: WatchfloorApp, clock: FrozenClock) -> tuple[Granter, GrantList]:
    secret = await enroll(app.sources)
    gl = app.query_one(GrantsPane).grant_list()
    return Granter(app, clock, secret), gl


async def test_an_untouched_grants_cursor_stays_on_the_top_row_and_r_revokes_that() -> None:
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        granter, gl = await start(app, clock)
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="the demo grants")
        first = gl.grants[0]
        gina = await granter.grant("gina@example.com", 3)  # the shortest: on top
        await wait_for(pilot, lambda: gl.grants[0].id == gina.id, what="gina on top")
        assert first.id != gina.id and gl.cursor == 0
        await pilot.press("4", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
        assert isinstance(app.screen, RevokeScreen)
        assert app.screen.grant.id == gina.id  # it named the old first row


async def test_a_picked_grant_is_followed_and_when_it_goes_a_neighbour_is_picked() -> None:
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        granter, gl = await start(app, clock)
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="the demo grants")
        await pilot.press("4", "down")
        picked = gl.grants[1]
        below = gl.grants[2]
        await granter.grant("gina@example.com", 3)  # on top: the picked grant moves down
        await wait_for(pilot, lambda: len(gl.grants) == 4, what="gina's grant")
        assert gl.selected == picked and gl.cursor == 2
        await app.sources["grants"].revoke(picked.id, ME, "done elsewhere, INC-1")
        await wait_for(pilot, lambda: picked not in gl.grants, what="the revoke")
        assert gl.selected == below  # the row that was below it, not the top or a jump
        await granter.grant("hank@example.com", 2)  # followed from now on, as it is shown
        await wait_for(pilot, lambda: len(gl.grants) == 4, what="hank's grant")
        assert gl.selected == below


async def test_the_revoke_dialog_keeps_its_grant_as_the_cursor_row_changes_under_it() -> None:
    """Opened on the untouched top row; a shorter grant comes in on top (the cursor stays
    on the top row, now hank's): the dialog still names, and revokes, gina's grant."""
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        granter, gl = await start(app, clock)
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="the demo grants")
        gina = await granter.grant("gina@example.com", 3)
        await wait_for(pilot, lambda: gl.grants[0].id == gina.id, what="gina on top")
        await pilot.press("4", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
        dialog = app.screen
        assert isinstance(dialog, RevokeScreen) and dialog.grant.id == gina.id
        hank = await granter.grant("hank@example.com", 2)
        await wait_for(pilot, lambda: gl.grants[0].id == hank.id, what="hank on top")
        assert gl.cursor == 0 and gl.selected == hank  # under the dialog: someone else
        assert dialog.grant.id == gina.id
        assert "gina@example.com holds" in str(dialog.query_one("#revoke-holding").render())
        await pilot.press(*"INC-5 no longer needed", "enter", "enter")
        await wait_for(pilot, lambda: app.screen is not dialog, what="the revoke")
        await wait_for(pilot, lambda: gina not in gl.grants, what="gina's grant to go")
        assert hank in gl.grants and subjects(gl).count("hank@example.com") == 1
