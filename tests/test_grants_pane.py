"""The grants list with 10,000 grants: only what is on screen is rendered, the keyboard
cursor scrolls it, and countdowns come from `expires_at` and the pushed `now`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.app import App, ComposeResult

from backends.models import Grant, GrantsSnapshot, HealthState, SourceHealth
from tests.conftest import T0
from tui.panes.grants import GrantList, GrantsPane


def many(n: int) -> GrantsSnapshot:
    grants = tuple(
        Grant(
            id=f"{i:012x}",
            subject=f"user{i}@example.com",
            role="db-reader",
            reason=f"INC-{i} bulk",
            granted_by="dave",
            granted_at=T0,
            expires_at=T0 + timedelta(seconds=60 + i),
        )
        for i in range(n)
    )
    health = SourceHealth(state=HealthState.OK, last_ok_at=T0)
    return GrantsSnapshot(observed_at=T0, health=health, source="local", grants=grants)


class Harness(App[None]):
    def __init__(self, snap: GrantsSnapshot) -> None:
        super().__init__()
        self.snap = snap

    def compose(self) -> ComposeResult:
        yield GrantsPane()

    def on_mount(self) -> None:
        pane = self.query_one(GrantsPane)
        pane.now = T0
        pane.snapshot = self.snap


async def test_ten_thousand_grants_keyboard_and_countdown() -> None:
    app = Harness(many(10_000))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        pane = app.query_one(GrantsPane)
        gl = pane.grant_list()
        gl.focus()
        assert len(gl.grants) == 10_000
        height = gl.size.height
        assert "000000000000" in gl.render_line(0).text
        assert "1m00s" in gl.render_line(0).text
        await pilot.press("end")
        await pilot.pause()
        assert gl.cursor == 9_999
        row = gl.cursor - gl.scroll_offset.y
        assert 0 <= row < height
        assert f"{9_999:012x}" in gl.render_line(row).text
        assert gl.render_line(row).text.endswith("┃")  # the thumb sits at the bottom
        await pilot.press("home", "pagedown")
        assert gl.cursor == height - 1
        pane.now = T0 + timedelta(seconds=61)  # the first two grants have expired
        await pilot.pause()
        assert "EXPIRED 1s" in gl.render_line(0).text
        assert "EXPIRED 0s" in gl.render_line(1).text  # expires_at == now: expired
        assert " 1s " in gl.render_line(2).text and "EXPIRED" not in gl.render_line(2).text


async def test_a_tick_renders_only_visible_lines(monkeypatch: Any) -> None:
    calls = 0
    original = GrantList.render_line

    def counting(self: GrantList, y: int) -> Any:
        nonlocal calls
        calls += 1
        return original(self, y)

    monkeypatch.setattr(GrantList, "render_line", counting)
    for n in (100, 10_000):
        app = Harness(many(n))
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            pane = app.query_one(GrantsPane)
            height = pane.grant_list().size.height
            calls = 0
            pane.now = T0 + timedelta(seconds=1)
            await pilot.pause()
            assert 0 < calls <= 2 * height, (n, calls, height)


async def test_a_narrow_pane_shows_who_and_scrolls_the_other_columns_sideways() -> None:
    app = Harness(many(3))
    async with app.run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        pane = app.query_one(GrantsPane)
        gl = pane.grant_list()
        gl.focus()

        def header() -> str:
            return str(pane.query_one("#grants-header").render())

        # too narrow for id, countdown, subject and role: the id gives way to the subject,
        # and for the whole role the countdown's title ("expires") and the subject
        assert header().startswith("expires◂subject      role ") and header().endswith("▸")
        assert gl.render_line(0).text == "⚠ 1m00s user0@examp… db-reader"
        await pilot.press("right")
        assert header().startswith("expires in◂role")
        assert gl.render_line(0).text.startswith("   ⚠ 1m00s db-reader")
        await pilot.press("left", "left")
        assert header().startswith("id ")
        assert gl.render_line(0).text.startswith("000000000000 ⚠ 1m00s ")  # the id, then 1m00s
        await pilot.press("h")  # no further left
        assert header().startswith("id ")
        await pilot.press("right", "right", "right", "right", "right", "l")
        assert header().startswith("expires in◂by   reason")  # as far as it goes: all fits
        assert gl.render_line(0).text.startswith("   ⚠ 1m00s dave INC-0 bulk")
        await pilot.resize_terminal(120, 10)  # wide: every column, from the id
        await pilot.pause()
        assert header().startswith("id ") and "reason" in header()
        assert gl.render_line(0).text.startswith("000000000000")


async def test_a_pane_without_room_for_the_role_beside_the_id_leaves_the_id_out() -> None:
    """The grants pane at 160 columns is about 60 wide: with the id first, every role was
    cut ("prod-depl…"). Who holds which role matters more than the id (Enter shows it).
    (The columns are as wide as their values now: 60 is room enough for all four.)"""
    snap = many(2)
    first = snap.grants[0].model_copy(update={"role": "prod-deployer"})
    app = Harness(snap.model_copy(update={"grants": (first, snap.grants[1])}))
    async with app.run_test(size=(54, 10)) as pilot:
        await pilot.pause()
        pane = app.query_one(GrantsPane)
        header = str(pane.query_one("#grants-header").render())
        assert header.startswith("expires in◂subject") and " role " in header
        assert "prod-deployer " in pane.grant_list().render_line(0).text
        await pilot.resize_terminal(70, 10)  # room for the id and the whole role: the id first
        await pilot.pause()
        assert str(pane.query_one("#grants-header").render()).startswith("id ")
        assert "prod-deployer " in pane.grant_list().render_line(0).text


async def test_a_reason_cut_at_the_pane_edge_ends_in_an_ellipsis() -> None:
    """At a narrow width the reason ran into the border with no sign that it goes on,
    scrolled to the end too. Cut, it ends in "…"; a reason that fits does not."""
    long_reason = "INC-4711 primary replica lagging, failover drill with the DBA team"
    snap = many(2)
    first = snap.grants[0].model_copy(update={"reason": long_reason})
    snap = snap.model_copy(update={"grants": (first, snap.grants[1])})
    app = Harness(snap)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        pane = app.query_one(GrantsPane)
        gl = pane.grant_list()
        gl.focus()
        await pilot.press(*["right"] * 5)  # as far as the columns go: countdown, reason
        header = str(pane.query_one("#grants-header").render()).rstrip()
        assert header.startswith("expires in◂") and header.endswith(" reason"), header
        cut, fits = gl.render_line(0).text, gl.render_line(1).text
        assert len(cut) == 40 and cut.endswith("…"), cut
        shown = cut[header.index(" reason") + 1 : -1]
        assert long_reason.startswith(shown) and len(shown) < len(long_reason)
        assert fits.rstrip().endswith(" INC-1 bulk")  # fits: nothing added


async def test_a_grant_expiring_within_five_minutes_is_marked_not_only_yellow() -> None:
    """Under five minutes the countdown turned yellow (grey on a 16-colour terminal, or
    with NO_COLOR) and said nothing else until EXPIRED: now it starts with ⚠."""
    app = Harness(many(2))  # expiring in 60 s and 61 s
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(GrantsPane)
        gl = pane.grant_list()
        pane.now = T0 - timedelta(minutes=4, seconds=1)  # 5m01s and 5m02s left
        await pilot.pause()
        assert "5m01s" in gl.render_line(0).text and "⚠" not in gl.render_line(0).text
        pane.now = T0 - timedelta(minutes=3, seconds=59, microseconds=500_000)  # 4m59.5s
        await pilot.pause()
        assert gl.render_line(0).text.startswith(f"{gl.grants[0].id}    ⚠ 4m59s user0@")
        assert "⚠" not in gl.render_line(1).text  # 5m00.5s left: not yet


def test_its_details_say_expiring_soon_in_words() -> None:
    from tui.screens.grant_details import GrantDetailsScreen

    async def no_revoke(_: GrantDetailsScreen) -> None:
        return None

    g = many(1).grants[0]  # expires at T0 + 60 s
    assert (
        "expiring soon"
        not in GrantDetailsScreen(g, T0 - timedelta(minutes=5), no_revoke).expires().plain
    )
    assert GrantDetailsScreen(g, T0, no_revoke).expires().plain.endswith("in 1m00s ⚠ expiring soon")
