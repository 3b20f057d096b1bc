"""Enter on a grant or a fault window row opens its details, whole. The panes cut a long
reason with "…" (the faults pane does not show one at all), and who has access and why,
or what a window does and why, meant leaving the dashboard for `watchfloor grants list`.
From the details, `r` revokes that grant and `e` ends that window (refused in read-only
mode, like everywhere else), and Esc closes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from backends.models import (
    Actor,
    FaultGuards,
    FaultRequest,
    FaultSpec,
    FaultsSnapshot,
    FaultWindow,
    WindowState,
)
from tests.conftest import T0
from tests.grant_helpers import code_at, enroll, req
from tests.helpers import SIZE, local_sources, wait_for
from tests.test_read_only import REFUSED, toasts
from tui.app import WatchfloorApp
from tui.footer import KeyFooter
from tui.panes.faults import FaultsPane
from tui.panes.grants import GrantsPane
from tui.screens.revoke import RevokeScreen

WHY = (
    "INC-4790 checkout 5xx since the payments failover: need pod exec on gateway and"
    " docs-api to pull heap dumps before the pods are recycled"
)
DRILL = (
    "game day GD-12: docs-api slow backend, watch the adaptive inflight limit and the"
    " p99.9 regression alert"
)


def shown(screen: Screen[Any]) -> str:
    """What the dialog shows, its lines joined and runs of spaces made one: a value
    wrapped over several lines reads whole."""
    lines = []
    for widget in screen.query(Static):
        if widget.display and widget.size.height:
            crop = Region(0, 0, widget.size.width, widget.size.height)
            lines += [strip.text for strip in widget.render_lines(crop)]
    return " ".join(" ".join(lines).split())  # the label column's padding too


async def open_details(pilot: Pilot[None], app: WatchfloorApp) -> Screen[Any]:
    await pilot.press("enter")
    await wait_for(pilot, lambda: len(app.screen_stack) == 2, what="the details")
    screen = app.screen
    await wait_for(pilot, lambda: "id" in shown(screen), what="the details drawn")
    return screen


async def test_enter_on_a_grant_shows_it_whole_and_r_revokes_that_grant() -> None:
    sources = local_sources()
    secret = await enroll(sources, sources.ctx.actor)
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        gl = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="demo grants")
        code = code_at(secret, app.clock.now())
        g = await sources["grants"].grant(
            req(code, subject="erin@example.com", reason=WHY), Actor(name=sources.ctx.actor)
        )
        await wait_for(pilot, lambda: g in gl.grants, what="erin's grant")
        index = gl.grants.index(g)
        assert index > 0  # the cursor has to move to it
        await pilot.press("4", "home", *["down"] * index)
        row = gl.render_line(index - gl.scroll_offset.y).text
        assert "erin@example.com" in row and WHY not in row  # not whole in the pane

        details = await open_details(pilot, app)
        text = shown(details)
        assert WHY in text and g.id in text
        for part in ("erin@example.com", g.role, f"granted by {g.granted_by}"):
            assert part in text
        assert f"expires at {g.expires_at:%Y-%m-%d %H:%M:%S}Z in 29m" in text
        assert f"granted at {g.granted_at:%Y-%m-%d %H:%M:%S}Z" in text
        footer = details.query_one(KeyFooter).render().plain
        assert "r Revoke grant" in footer and "esc Close" in footer

        await pilot.press("r")  # the revoke dialog, for this grant, in its place
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")
        revoke = app.screen
        assert isinstance(revoke, RevokeScreen) and revoke.grant.id == g.id
        assert len(app.screen_stack) == 2
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="revoke closed")

        await open_details(pilot, app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="details closed")
        assert g in gl.grants  # nothing was revoked


async def test_a_grant_revoked_elsewhere_is_said_gone_not_shown_as_current() -> None:
    app = WatchfloorApp(local_sources())
    async with app.run_test(size=SIZE) as pilot:
        gl = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="demo grants")
        await pilot.press("4")
        details = await open_details(pilot, app)
        g = gl.grants[0]
        assert f"{g.reason} " in shown(details) and " in " in shown(details)  # counting down

        await app.sources["grants"].revoke(g.id, Actor(name="erin"), "revoked from elsewhere")
        # who revoked it and why, as the source says
        gone = "no longer listed (revoked elsewhere by erin: revoked from elsewhere)"
        await wait_for(pilot, lambda: gone in shown(details), within=6, what="said gone")
        assert " in " not in shown(details).partition("expires at")[2]  # no countdown
        assert g.id in shown(details)  # still says which grant it was
        await pilot.press("r")
        await wait_for(pilot, lambda: any("nothing to revoke" in t for t in toasts(app)))
        assert app.screen is details  # no revoke dialog for a grant that is gone


async def schedule_drill(app: WatchfloorApp, start_in: timedelta = timedelta(0)) -> str:
    """Two windows through the local backend: one that errors, and the drill."""
    src = app.sources["faults"]
    errors = FaultSpec(target_host="search-api", namespace="stage", abort_percent=5)
    await src.schedule(FaultRequest(spec=errors, reason="drill search errors"), Actor(name="erin"))
    slow = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=800, delay_percent=30)
    guards = FaultGuards(p999_ms_above=1500, route="GET /docs/:id")
    drill = FaultRequest(spec=slow, reason=DRILL, guards=guards, start_in=start_in)
    w: FaultWindow = await src.schedule(drill, Actor(name="erin"))
    await app.refresh_now("faults")
    return w.id


def window_state(app: WatchfloorApp, window_id: str) -> WindowState:
    snap = app.snapshots["faults"]
    assert isinstance(snap, FaultsSnapshot)
    return next(w for w in snap.windows if w.id == window_id).state(app.clock.now())


async def test_enter_on_a_fault_window_shows_it_whole_and_e_ends_it() -> None:
    app = WatchfloorApp(local_sources())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        wid = await schedule_drill(app, start_in=timedelta(minutes=5))
        table = app.query_one(FaultsPane).table()
        await wait_for(pilot, lambda: table.row_count == 2, what="both windows")
        index = list(table.rows).index(wid)
        assert index > 0  # scheduled after the active one: the cursor has to move to it
        await pilot.press("2", "home", *["down"] * index)
        await pilot.pause()
        help_rows = {(desc, bid) for _, _, desc, bid in app._binding_rows()}
        assert ("Window details", "faults.details") in help_rows  # `?` says what Enter does

        details = await open_details(pilot, app)
        text = shown(details)
        assert DRILL in text and wid in text
        for part in (
            "target stage/docs-api",
            "state scheduled",
            "delay 800ms on 30% of requests",
            "abort none",
            "owner erin",
            "guards p99.9 above 1500 ms on GET /docs/:id ends it early",
            "applied no",
            "end reason —",
            "in 4m",  # starts in
        ):
            assert part in text, part
        assert "e End window" in details.query_one(KeyFooter).render().plain

        # ends it before its start (its dialog asks why); the details say so, as it happens
        await pilot.press("e", *"not needed today", "enter")
        await wait_for(
            pilot,
            lambda: (
                "state cancelled: ended before it started, nothing was injected" in shown(details)
            ),
            within=5,
            what="cancelled",
        )
        assert "cancelled 20" in shown(details)  # the row, then its time
        assert "end reason ended by" in shown(details)
        assert window_state(app, wid) is WindowState.ENDED
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="details closed")


async def refused_in(pilot: Pilot[None], app: WatchfloorApp, key: str) -> None:
    before = toasts(app).count(REFUSED)
    await pilot.press(key)
    await wait_for(pilot, lambda: toasts(app).count(REFUSED) > before, what=f"{key}: refused")


async def test_read_only_details_refuse_revoke_and_end() -> None:
    app = WatchfloorApp(local_sources(), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        wid = await schedule_drill(app)
        table = app.query_one(FaultsPane).table()
        await wait_for(pilot, lambda: table.row_count == 2, what="both windows")
        for pane_key, key, hidden in (("4", "r", "Revoke grant"), ("2", "e", "End window")):
            await pilot.press(pane_key)
            details = await open_details(pilot, app)
            assert hidden not in details.query_one(KeyFooter).render().plain
            await refused_in(pilot, app, key)
            assert app.screen is details and len(app.screen_stack) == 2
            await pilot.press("escape")
            await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="details closed")
        assert window_state(app, wid) is not WindowState.ENDED
        assert len(app.query_one(GrantsPane).grant_list().grants) == 3


async def test_a_window_no_longer_listed_is_said_gone() -> None:
    """A window the faults snapshot stops listing (ended and aged out, or removed
    elsewhere): the details say so rather than count down as if it were current."""
    from tui.screens.fault_details import FaultDetailsScreen  # opened first here

    spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=800, delay_percent=30)
    w = FaultWindow(
        id="w1",
        spec=spec,
        owner="erin",
        reason=DRILL,
        starts_at=T0,
        ends_at=T0 + timedelta(minutes=10),
    )

    async def end(_: FaultDetailsScreen) -> None:
        raise AssertionError("not pressed")

    screen = FaultDetailsScreen(w, T0, end)
    app: App[None] = App()
    async with app.run_test(size=(90, 30)) as pilot:
        await app.push_screen(screen)
        await pilot.pause()
        assert "ends at 2026-03-16 09:10:00Z in 10m00s" in shown(screen)
        screen.update(T0 + timedelta(seconds=5), w)
        await pilot.pause()
        assert "in 9m55s" in shown(screen) and "no longer listed" not in shown(screen)
        screen.update(T0 + timedelta(seconds=6), None)
        await pilot.pause()
        text = shown(screen)
        assert "no longer listed (ended and aged out, or removed elsewhere)" in text
        assert "09:00:05Z" in text  # as it was when last listed
        assert " in 9m5" not in text and DRILL in text


async def test_a_grant_that_ran_out_is_said_expired_not_revoked() -> None:
    """Gone after its expiry, it ran out: "revoked or reaped elsewhere" made the on-call
    look for who had revoked it."""
    from backends.clock import FrozenClock

    clock = FrozenClock(T0)
    app = WatchfloorApp(local_sources(clock), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        gl = app.query_one(GrantsPane).grant_list()
        await wait_for(pilot, lambda: len(gl.grants) == 3, what="demo grants")
        await pilot.press("4")
        details = await open_details(pilot, app)
        g = gl.grants[0]
        assert g.id in shown(details)
        clock.advance((g.expires_at - clock.now()).total_seconds() + 5)
        await app.refresh_now("grants")
        gone = "no longer listed (it expired)"
        await wait_for(pilot, lambda: gone in shown(details), within=6, what="said expired")
        # `r` says the same, not "(revoked elsewhere, or expired)"
        await pilot.press("r")
        said = f"{g.id} is no longer listed (it expired): nothing to revoke"
        await wait_for(pilot, lambda: said in toasts(app), what=said)
