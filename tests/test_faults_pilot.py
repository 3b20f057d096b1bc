"""Fault windows driven like a user: `f` schedules in a modal (protected namespaces refused
on the spot), `e` ends the selected window (with a reason), `H` halts all after typing
HALT."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from backends.models import Actor, FaultRequest, FaultSpec, WindowState
from tests.helpers import SIZE, local_app, wait_for
from tests.palette_helpers import run_command
from tui.app import WatchfloorApp
from tui.panes.faults import FaultsPane
from tui.screens.end_window import EndWindowScreen
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.halt import HaltScreen


async def fill(pilot: Pilot[None], values: dict[str, str | None]) -> None:
    """Type into the modal's fields in order (None: keep what is there); enter moves to the
    next field and submits on the last."""
    for text in values.values():
        keys = [] if text is None else ["home", "ctrl+k", *text]
        await pilot.press(*keys, "enter")


def form(ns: str, host: str = "docs-api") -> dict[str, str | None]:
    return {
        "host": host,
        "namespace": ns,
        "delay": "800ms",
        "delay_percent": "30",
        "abort_status": None,  # 503
        "abort_percent": None,  # empty: no abort
        "start_in": None,  # now
        "duration": None,  # 10m
        "guard_p999_ms": None,
        "guard_error_percent": None,
        "guard_route": None,  # any route
        "reason": "drill docs",
    }


def windows(app: WatchfloorApp) -> dict[str, WindowState]:
    snap = app.snapshots["faults"]
    now = app.clock.now()
    return {w.spec.target_host: w.state(now) for w in getattr(snap, "windows", ())}


def error_text(screen: object) -> str:
    sel = "#fault-error" if isinstance(screen, FaultWindowScreen) else "#halt-error"
    return str(screen.query_one(sel, Static).render())  # type: ignore[attr-defined]


@pytest.mark.slow
async def test_schedule_refuse_prod_end_and_halt_all_like_a_user() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="modal")
        await fill(pilot, form("prod"))
        await pilot.pause()
        assert isinstance(app.screen, FaultWindowScreen)  # still open
        assert "protected" in error_text(app.screen)
        assert windows(app) == {}

        # fix the namespace only; everything else was kept as typed
        await pilot.click("#namespace")
        await pilot.press("end", *["backspace"] * 4, *"stage")
        await pilot.click("#schedule")
        await wait_for(pilot, lambda: not isinstance(app.screen, FaultWindowScreen), what="close")
        await wait_for(pilot, lambda: windows(app) == {"docs-api": WindowState.ACTIVE}, what="win")

        # a second window, opened elsewhere (the command line): the pane shows it too
        spec = FaultSpec(target_host="search-api", namespace="stage", abort_percent=5)
        second = FaultRequest(spec=spec, reason="drill search errors")
        await app.sources["faults"].schedule(second, Actor(name="erin"))
        await wait_for(pilot, lambda: len(windows(app)) == 2, what="second window")

        # `e` ends the window under the cursor in the faults pane
        await pilot.press("2")
        pane = app.query_one(FaultsPane)
        first = pane.selected
        assert first is not None
        await pilot.press("e", *"docs drill done", "enter")  # its dialog asks why
        await wait_for(
            pilot,
            lambda: windows(app)[first.spec.target_host] is WindowState.ENDED,
            what="the selected window to end",
        )
        other = ({"docs-api", "search-api"} - {first.spec.target_host}).pop()
        assert windows(app)[other] is WindowState.ACTIVE

        # `H`: a wrong confirmation word does nothing
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="halt modal")
        await pilot.press(*"pager", "enter", *"halt", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HaltScreen) and "HALT" in error_text(app.screen)
        assert windows(app)[other] is WindowState.ACTIVE
        await pilot.press("home", "ctrl+k", *"HALT", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, HaltScreen), what="halt done")
        await wait_for(
            pilot,
            lambda: set(windows(app).values()) == {WindowState.ENDED},
            what="every window ended",
        )
        halts = [e.text for e in app.timeline.events if e.text.startswith("HALT ALL")]
        assert halts == [f"HALT ALL by {app.sources.ctx.actor}: 1 window(s) ended; pager"]
        records = await app.sources["audit"].records(limit=200)
        actions = [r.action for r in records if r.phase == "request"]
        assert actions.count("fault-schedule") == 2  # one by keys, one from "elsewhere"
        assert actions.count("fault-end") == 1 and actions.count("fault-halt-all") == 1


async def test_fault_actions_are_in_the_palette_and_help() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for t in (
            "Schedule a fault window",
            "End selected fault window",
            "HALT ALL fault injection",
        ):
            assert t in titles
        ids = {b.binding.id for b in app.active_bindings.values()}
        assert {"faults.schedule", "faults.end", "faults.halt"} <= ids
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="halt modal")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HaltScreen)


async def test_the_dashboard_reconciles_windows_that_end() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        spec = FaultSpec(target_host="docs-api", namespace="stage", abort_percent=5)
        req = FaultRequest(spec=spec, reason="a very short drill", duration=timedelta(seconds=1))
        w = await app.sources["faults"].schedule(req, Actor(name="erin"))

        def ended_on_time() -> bool:
            table = app.query_one(FaultsPane).table()
            return w.id in table.rows and "ended on time" in str(table.get_row(w.id))

        await wait_for(pilot, ended_on_time, within=20, what="the reconcile loop to end it")
        snap = app.snapshots["faults"]
        (x,) = [x for x in getattr(snap, "windows", ()) if x.id == w.id]
        assert x.end_reason == "ended on time" and not x.applied


async def test_quit_asks_about_a_window_scheduled_elsewhere_since_the_last_poll() -> None:
    """`faults schedule` from another terminal, then q at once: the dashboard quit without
    asking, from its last poll (up to 2 s old). q asks the faults source first."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=300, delay_percent=20)
        req = FaultRequest(spec=spec, reason="drill from a laptop", duration=timedelta(minutes=5))
        await app.sources["faults"].schedule(req, Actor(name="erin"))  # no refresh here
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert [n for n in app._notifications if "fault window" in n.title]
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize(("first", "second"), [("q", "q"), ("ctrl+q", "ctrl+q"), ("palette", "q")])
async def test_quit_with_a_fault_window_open_asks_again_before_quitting(
    first: str, second: str
) -> None:
    """The dashboard is the windows' reconciler by default: quitting with one open leaves
    nothing to check its guards (nor, on a mesh, to end it: tests/test_faults_late_start.py).
    The first quit says so; a second one quits.
    Every way to quit asks: q, ctrl+q (Textual's own key, which `?` lists) and the
    palette's Quit."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=300, delay_percent=20)
        req = FaultRequest(spec=spec, reason="drill before a quit", duration=timedelta(minutes=5))
        await app.sources["faults"].schedule(req, Actor(name="erin"))
        await app.refresh_now("faults")
        if first == "palette":
            await run_command(pilot, "Quit")
        else:
            await pilot.press(first)
        await pilot.pause()
        assert app.is_running and app.return_code is None
        (note,) = [n for n in app._notifications if "fault window" in n.title]
        assert "stage/docs-api until" in note.message and "q again" in note.message
        await pilot.press(second)
        await pilot.pause()
    assert app.return_code == 0


async def test_e_from_another_pane_never_guesses_which_window_to_end() -> None:
    """`e` ended the window under the faults pane's cursor whichever pane had the focus:
    with two open, pressed from the access pane, it ended the top one, unseen."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        faults = app.sources["faults"]
        spec = FaultSpec(target_host="docs-api", namespace="stage", abort_percent=5)
        await faults.schedule(
            FaultRequest(spec=spec, reason="drill docs errors"), Actor(name="erin")
        )
        await app.refresh_now("faults")
        await wait_for(pilot, lambda: len(windows(app)) == 1, what="one window")
        await pilot.press("3", "e")  # one open window: that one, from any pane
        await wait_for(pilot, lambda: isinstance(app.screen, EndWindowScreen), what="dialog")
        assert app.screen.window.spec.target_host == "docs-api"  # type: ignore[attr-defined]
        await pilot.press(*"docs drill done", "enter")
        await wait_for(pilot, lambda: windows(app)["docs-api"] is WindowState.ENDED, what="end")
        (ended,) = app.snapshots["faults"].windows  # type: ignore[union-attr]
        assert ended.end_reason == f"ended by {app.sources.ctx.actor}: docs drill done"

        for host in ("search-api", "gateway"):
            spec = FaultSpec(target_host=host, namespace="stage", abort_percent=5)
            await faults.schedule(
                FaultRequest(spec=spec, reason="drill two at once"), Actor(name="erin")
            )
        await app.refresh_now("faults")
        table = app.query_one(FaultsPane).table()
        await wait_for(pilot, lambda: table.row_count == 3, what="two more windows shown")
        await pilot.press("3", "e")
        await pilot.pause()
        pane = app.query_one(FaultsPane)
        assert pane.has_focus_within  # moved there to pick one
        assert [s for h, s in windows(app).items() if h != "docs-api"] == [WindowState.ACTIVE] * 2
        picked = pane.selected
        assert picked is not None and picked.spec.target_host != "docs-api"
        await pilot.press("e", *"that drill is done", "enter")
        await wait_for(
            pilot, lambda: windows(app)[picked.spec.target_host] is WindowState.ENDED, what="pick"
        )


async def test_a_host_the_simulation_does_not_have_is_refused_with_the_focus_on_it() -> None:
    """`serch-api` was scheduled, applied and audited, and changed nothing: no route has
    that host. Refused now, naming the hosts there are, with the focus on the host field."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="modal")
        await fill(pilot, form("stage", host="serch-api"))
        screen = app.screen
        await wait_for(
            pilot, lambda: "not in the local simulation" in error_text(screen), what="refusal"
        )
        assert "docs-api, search-api, gateway" in error_text(screen)
        assert app.focused is not None and app.focused.id == "host"
        assert windows(app) == {}
        await pilot.press("home", "ctrl+k", *"search-api", "enter")  # Enter sends again
        await wait_for(
            pilot, lambda: windows(app) == {"search-api": WindowState.ACTIVE}, what="win"
        )


async def test_e_on_an_ended_row_says_so_and_an_end_names_its_target() -> None:
    """In the faults pane on an ended row, `e` said "No open window selected (2 focuses the
    faults pane)", there already; an end's toast said only "Window 7ffc1568 ended"."""
    from tests.test_read_only import toasts

    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        faults, erin = app.sources["faults"], Actor(name="erin")
        for host in ("docs-api", "search-api"):
            spec = FaultSpec(target_host=host, namespace="stage", abort_percent=5)
            w = await faults.schedule(FaultRequest(spec=spec, reason="drill errors"), erin)
        await faults.end(w.id, erin, "search drill over")  # search-api ended, docs-api open
        await app.refresh_now("faults")
        pane = app.query_one(FaultsPane)
        await wait_for(pilot, lambda: pane.table().row_count == 2, what="both windows")
        await pilot.press("2", "home")
        row = 0 if pane.selected and pane.selected.id == w.id else 1
        await pilot.press(*["down"] * row, "e")
        assert pane.selected is not None and pane.selected.id == w.id  # the ended one
        assert "The window under the cursor has ended: pick an open one (↑ ↓)" in toasts(app)
        await pilot.press("home" if row else "down", "e", *"docs drill done", "enter")
        await wait_for(
            pilot,
            lambda: any(t.endswith("on stage/docs-api ended") for t in toasts(app)),
            what="the end, with its target",
        )


async def test_the_window_that_ended_last_is_listed_first_among_ended_ones() -> None:
    """Ended windows were listed oldest start first, so at 80x24 the one that just ended
    (the one whose reason the SRE wants) was below the pane's three rows."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        faults, erin = app.sources["faults"], Actor(name="erin")
        ids = []
        for host in ("docs-api", "search-api", "gateway"):
            spec = FaultSpec(target_host=host, namespace="stage", abort_percent=5)
            w = await faults.schedule(FaultRequest(spec=spec, reason="drill errors"), erin)
            ids.append(w.id)
        for wid in ids:  # ended in the order scheduled: gateway last
            await faults.end(wid, erin, "drill over")
            await pilot.pause(0.05)
        await app.refresh_now("faults")
        table = app.query_one(FaultsPane).table()
        await wait_for(pilot, lambda: table.row_count == 3, what="the three windows")
        assert list(table.rows) == ids[::-1]


async def test_a_window_halted_before_its_start_reads_cancelled_in_pane_and_details() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        faults, erin = app.sources["faults"], Actor(name="erin")
        spec = FaultSpec(target_host="docs-api", namespace="stage", abort_percent=5)
        req = FaultRequest(spec=spec, reason="drill errors later", start_in=timedelta(minutes=5))
        w = await faults.schedule(req, erin)
        await faults.halt_all(erin, "pager fired: stop the drills")
        await app.refresh_now("faults")
        table = app.query_one(FaultsPane).table()
        await wait_for(pilot, lambda: w.id in table.rows, what="the window")
        assert str(table.get_row(w.id)[2]) == "cancelled"
        await pilot.press("2", "home", "enter")
        from tui.screens.fault_details import FaultDetailsScreen

        await wait_for(pilot, lambda: isinstance(app.screen, FaultDetailsScreen), what="details")
        from tests.test_details_pilot import shown

        body = shown(app.screen)
        assert "state cancelled: ended before it started, nothing was injected" in body
        assert "cancelled 20" in body  # the row, then its time
        assert "planned end 20" in body  # not "ends at" beside it


async def test_halt_and_e_say_cancelled_for_a_window_that_had_not_started() -> None:
    """The toast said "HALT ALL · 1 window(s) ended" and `e` "Window … ended" for windows
    that had not started: read at 3am as faults that were live."""
    from tests.test_read_only import toasts

    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        faults, erin = app.sources["faults"], Actor(name="erin")
        later = timedelta(minutes=5)
        for host in ("docs-api", "search-api", "gateway"):
            spec = FaultSpec(target_host=host, namespace="stage", abort_percent=5)
            wait = later if host != "docs-api" else timedelta(0)
            req = FaultRequest(spec=spec, reason="drill errors", start_in=wait)
            w = await faults.schedule(req, erin)
        await app.refresh_now("faults")
        pane = app.query_one(FaultsPane)
        await wait_for(pilot, lambda: pane.table().row_count == 3, what="the windows")
        await pilot.press("2", "home")
        row = list(pane.table().rows).index(w.id)  # gateway: scheduled
        await pilot.press(*["down"] * row, "e", *"not needed today", "enter")
        await wait_for(
            pilot,
            lambda: any(
                t.endswith("on stage/gateway cancelled before it started") for t in toasts(app)
            ),
            what="e: cancelled",
        )
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT dialog")
        await pilot.press(*"pager fired", "enter", *"HALT", "enter")
        await wait_for(
            pilot,
            lambda: "1 window(s) ended, 1 cancelled before it started" in toasts(app),
            what="the HALT toast",
        )
