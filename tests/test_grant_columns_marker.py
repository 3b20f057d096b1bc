"""The grants pane with its scroll marker (`┃`, more grants than lines): the marker takes
the last cell, and the columns are fitted to the cells left. At 80x24 with five grants
(or a tall alert strip) every subject was cut by it, "alice@example.c…┃", "root …┃",
"bob@example.com…┃"; at 90 columns the titles read "role" ("ro▸") over rows without a
role, and at 110 the subject gave a cell more than the marker left for the role."""

from __future__ import annotations

import re

import pytest

from backends.clock import FrozenClock
from tests.conftest import T0
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import local_app, wait_for
from tests.test_small_terminal import painted
from tui.app import WatchfloorApp
from tui.panes.grant_columns import PART_MIN, SUBJECT_MIN, countdown
from tui.panes.grants import GrantsPane

# with the three demo grants: five, two of them bob's db-reader grants
MORE = (("root", "sre-oncall"), ("bob@example.com", "db-reader"))
TITLES = ("subject", "role", "by", "reason")


async def grant_more(app: WatchfloorApp, clock: FrozenClock) -> None:
    secret = await enroll(app.sources)
    for subject, role in MORE:  # a code is good once: the next one 30 s later
        clock.advance(30)
        code = code_at(secret, clock.now())
        await app.sources["grants"].grant(req(code, subject=subject, role=role), ME)


def check_rows(app: WatchfloorApp, *, subject_whole: bool, role_whole: bool = False) -> None:
    """What the grants pane paints: each row's countdown whole; its subject whole (or
    where `subject_whole` is False, at least SUBJECT_MIN cells beside its whole role); a
    role shown whole (`role_whole`: always) or by at least PART_MIN cells; "…" only at
    the end of a value; and each title over its column."""
    pane = app.query_one(GrantsPane)
    gl = pane.grant_list()
    header, *rows = painted(app, pane)
    shown = [(row, gl.grants[gl.scroll_offset.y + i]) for i, row in enumerate(rows)]
    shown = [(row, g) for row, g in shown if g.subject in row or "…" in row]
    assert len(shown) == gl.size.height < len(gl.grants), rows  # the marker is there
    assert any(row.endswith("┃") for row, _ in shown), rows
    for row, g in shown:
        text = row[:-1]  # the marker's cell
        assert " …" not in text, row  # not a column's blanks cut
        assert countdown(g, pane.now) in text, row
        role_at = text.find(f" {g.role[: PART_MIN - 1]}")
        if subject_whole or role_at < 0:
            assert re.search(rf" {re.escape(g.subject)}( |$)", text), row
        else:
            assert re.search(rf" {re.escape(g.subject[: SUBJECT_MIN - 1])}", text), row
        if role_at >= 0:
            role = text[role_at + 1 :].split(" ")[0]
            cut = role.endswith("…") and len(role) >= PART_MIN and not role_whole
            assert role == g.role or cut, row
        assert role_at >= 0 or not role_whole, row
    assert header[-1] == " ", header  # over the marker: nothing, as in the KeyedTables
    for m in re.finditer(r"[a-z]+", header):
        if any(title.startswith(m.group()) for title in TITLES):
            for row, _ in shown:  # a title over the start of its values, never over blanks
                assert row[m.start() - 1] == " " != row[m.start()], (header, row)


async def test_at_80x24_with_the_scroll_marker_each_subject_and_countdown_is_whole() -> None:
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await grant_more(app, clock)
        gl = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(gl.grants) == 5, what="five grants")
        await pilot.pause()
        check_rows(app, subject_whole=True)
        rows = painted(app, app.query_one(GrantsPane))[1:]
        assert sum("bob@example.com " in row for row in rows) == 2, rows  # both, whole


async def test_the_titles_follow_the_rows_when_a_resize_brings_the_marker() -> None:
    """80x30 has a line for each of the five grants; at 80x24 the marker comes, the pane
    as wide as before: the titles are fitted again with the rows."""
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=(80, 30)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await grant_more(app, clock)
        gl = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(gl.grants) == 5, what="five grants")
        await pilot.pause()
        assert gl.size.height >= 5
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        check_rows(app, subject_whole=True)


@pytest.mark.parametrize(("width", "role_whole"), [(90, False), (100, True), (110, True)])
async def test_wider_with_the_scroll_marker_the_role_stays_readable(
    width: int, role_whole: bool
) -> None:
    """At 100 columns the subject gives way for the whole role (it read "sre-o…", "db-re…"
    beside whole subjects), down to SUBJECT_MIN; at 90 there is no room for that."""
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=(width, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await grant_more(app, clock)
        gl = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(gl.grants) == 5, what="five grants")
        await pilot.pause()
        check_rows(app, subject_whole=False, role_whole=role_whole)
