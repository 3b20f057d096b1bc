"""The grants pane's columns are as wide as what they hold, at every terminal size: at
120x36 the subject column was a fixed 22 wide with 5 blank cells while every role was cut
("judy@example.com       sre-on…"); at 80x24 every subject was cut ("alice@example…")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import T0
from tests.helpers import local_app, wait_for
from tests.test_grants_pane import Harness, many
from tui.panes.grants import GrantsPane

# the demo grants: (subject, role)
DEMO = (
    ("alice@example.com", "sre-oncall"),
    ("bob@example.com", "db-reader"),
    ("carol@example.com", "prod-deployer"),
)


@pytest.mark.parametrize(
    ("size", "with_role", "with_id"),
    [
        ((80, 24), False, False),  # room for the countdown and the subject, whole
        ((120, 36), True, False),
        ((160, 50), True, True),
        ((200, 50), True, True),
    ],
)
async def test_subjects_and_roles_are_whole_where_they_fit(
    size: tuple[int, int], with_role: bool, with_id: bool
) -> None:
    app = local_app()
    async with app.run_test(size=size) as pilot:
        pane = app.query_one(GrantsPane)
        gl = pane.grant_list()
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="demo grants")
        await pilot.pause()
        header = str(pane.query_one("#grants-header").render())
        rows = [gl.render_line(y).text for y in range(3)]
        for row, g in zip(rows, gl.grants, strict=True):
            assert f" {g.subject}" in row, (size, row)
            assert (f" {g.role}" in row) is with_role, (size, row)
            assert row.startswith(g.id) is with_id, (size, row)
            assert "…" not in row[: row.find(g.subject) + len(g.subject) + 1], (size, row)
        assert {(g.subject, g.role) for g in gl.grants} == set(DEMO)
        # the titles sit over their columns
        assert header.index("subject") == rows[0].index(gl.grants[0].subject), (header, rows)
        if with_role:
            assert header.index("role") == rows[0].index(gl.grants[0].role), (header, rows)


async def test_the_countdown_widens_while_a_grant_listed_is_past_its_expiry() -> None:
    """ "EXPIRED 59m59s" is wider than "expires in": the column widens while one is listed
    (red, until the reaper takes it), and the titles move with it."""
    app = Harness(many(3))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        pane = app.query_one(GrantsPane)
        gl = pane.grant_list()

        def header() -> str:
            return str(pane.query_one("#grants-header").render())

        assert header().startswith("expires in◂subject")
        assert gl.render_line(0).text.startswith("   ⚠ 1m00s user0@")
        pane.now = T0 + timedelta(minutes=31, seconds=1)  # the first: EXPIRED 30m01s
        await pilot.pause()
        assert header().startswith("    expires in◂subject"), header()
        assert gl.render_line(0).text.startswith("EXPIRED 30m01s user0@")
        assert gl.render_line(2).text.startswith("EXPIRED 29m59s user2@")
