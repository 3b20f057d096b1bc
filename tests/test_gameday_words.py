"""What the game-day dialogs and toasts say, read as a tired SRE reads them.

Before:
- HALT ALL: `H`, then HALT typed at once (the dialog asks for it) went into the reason
  field, and two Enters said "type HALT (in capitals) to confirm" with HALT on screen.
- `b` twice during a fault: "Press b again to mark it anyway." stayed up for 5 s under
  "Baseline marked during fault window …", and a third `b` stacked another.
- `e` on a window that starts in 90 minutes: "…, not started: ending it cancels it; 1h49m
  left" and "Its fault comes out of the mesh at once", though none of it had run.
"""

from __future__ import annotations

import re
from datetime import timedelta

from textual.widgets import Input, Static

from backends.models import Actor, FaultRequest, FaultSpec, WindowState
from tests.helpers import SIZE, local_app, wait_for
from tests.test_read_only import toasts
from tui.app import WatchfloorApp
from tui.baseline_actions import ASK_TITLES
from tui.screens.end_window import EndWindowScreen
from tui.screens.halt import HaltScreen

SPEC = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=900, delay_percent=20)


async def schedule(app: WatchfloorApp, start_in: timedelta = timedelta(0)) -> str:
    req = FaultRequest(spec=SPEC, reason="latency drill on docs", start_in=start_in)
    w = await app.sources["faults"].schedule(req, Actor(name="erin"))
    await app.refresh_now("faults")
    return str(w.id)


async def test_halt_typed_first_goes_to_the_confirm_field_and_the_reason_is_asked() -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        wid = await schedule(app)
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="the dialog")
        halt = app.screen
        await pilot.press(*"HALT", "enter", "enter")
        said = str(halt.query_one("#halt-error", Static).render())
        assert said.startswith("HALT went into the reason; it is in the confirm field now"), said
        assert halt.query_one("#halt-confirm", Input).value == "HALT"
        assert halt.query_one("#halt-reason", Input).value == ""
        assert app.focused is halt.query_one("#halt-reason", Input)
        await pilot.press(*"drill over", "enter")  # the reason, and it halts
        await wait_for(pilot, lambda: app.screen is not halt, what="the halt")
        snap = await app.sources["faults"].snapshot()
        (w,) = [w for w in snap.windows if w.id == wid]
        assert w.state(app.clock.now()) is WindowState.ENDED and "drill over" in w.end_reason


async def test_the_ask_for_a_second_b_is_taken_down_once_b_marks() -> None:
    app = local_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await schedule(app)

        def asks() -> int:
            return sum(n.title in ASK_TITLES for n in app._notifications)

        await pilot.press("b")
        await wait_for(pilot, lambda: asks() == 1, what="the ask")
        await pilot.press("b")  # within 5 s: marked anyway
        await wait_for(pilot, lambda: any(t.startswith("Baseline marked") for t in toasts(app)))
        assert asks() == 0, [n.title for n in app._notifications]
        await pilot.press("b")  # asks again: one ask on screen, not two
        await wait_for(pilot, lambda: asks() == 1, what="the new ask")
        await pilot.press("b", "b")  # marked, then asked again: still one
        await pilot.pause(0.2)
        assert asks() == 1


async def test_ending_a_window_that_has_not_started_says_it_never_goes_in() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await schedule(app, timedelta(minutes=90))
        await pilot.press("2", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, EndWindowScreen), what="dialog")
        end = app.screen
        what = str(end.query_one("#end-what", Static).render())
        hint = str(end.query_one("#end-hint", Static).render())
        assert re.search(r"\(in 1h(29|30)m\) for 10m00s; not started: ending it cancels", what)
        assert " left" not in what
        assert hint.startswith("Its fault is not in the mesh: ending it now, it never goes in")
