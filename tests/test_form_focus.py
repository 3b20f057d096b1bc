"""After a form refuses what was typed, the field that is wrong has the focus: the keys
typed next fix it, instead of landing in whatever field Enter was pressed in."""

from __future__ import annotations

from textual.widgets import Input, Static

from backends.models import WindowState
from tests.helpers import SIZE, local_app, wait_for
from tests.test_faults_pilot import fill, form, windows
from tui.app import WatchfloorApp
from tui.screens.fault_window import FaultWindowScreen
from tui.screens.grant import GrantScreen
from tui.screens.halt import HaltScreen
from tui.screens.replay import ReplayScreen


def focused_id(app: WatchfloorApp) -> str:
    return getattr(app.focused, "id", "") or ""


def value(app: WatchfloorApp, field: str) -> str:
    return app.screen.query_one(f"#{field}", Input).value


AGAIN = " · Enter sends again"


def error(app: WatchfloorApp, selector: str) -> str:
    """The refusal the form shows, without its hint that Enter now sends again."""
    return str(app.screen.query_one(selector, Static).render()).removesuffix(AGAIN)


async def test_after_a_missing_reason_the_next_keys_go_to_the_reason() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="grant form")
        await pilot.press(*"erin", "enter", *"sre-oncall", "enter")
        await pilot.press("enter", "enter")  # no reason; keep the TTL
        await pilot.press(*"000000", "enter")  # the code, and Enter submits
        assert error(app, "#grant-error").startswith("a grant needs a reason")
        assert focused_id(app) == "reason"
        await pilot.press(*"INC-77 fix it")
        assert value(app, "reason") == "INC-77 fix it"
        assert value(app, "code") == "000000"  # untouched, leading zeros kept
        assert value(app, "subject") == "erin"


async def test_the_step_up_code_takes_digits_only() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="grant form")
        await pilot.click("#code")
        await pilot.press(*"01a b2-34")
        assert value(app, "code") == "01234"


async def test_the_fault_form_focuses_the_field_it_refuses() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        await fill(pilot, {**form("stage"), "abort_status": "abc"})
        assert error(app, "#fault-error") == "abort status: 'abc' is not a number"
        assert focused_id(app) == "abort_status"

        await pilot.press("ctrl+u", *"503")  # fixed; now the namespace is refused
        await pilot.click("#namespace")
        await pilot.press("end", *["backspace"] * 5, *"prod")
        await pilot.click("#schedule")
        await wait_for(pilot, lambda: "protected" in error(app, "#fault-error"), what="refusal")
        assert focused_id(app) == "namespace"


async def test_the_fault_form_speaks_its_own_labels_not_the_models() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        host = app.screen.query_one("#host", Input)
        assert host.value == "" and host.placeholder.startswith("e.g. ")  # not a default
        await fill(pilot, {**form("stage", host=""), "guard_error_percent": "150"})
        assert error(app, "#fault-error") == (  # both at once, the focus on the first
            "target host is required · guard errors % must be above 0 and at most 100"
        )
        assert focused_id(app) == "host"

        await pilot.press(*"docs-api")
        await pilot.click("#schedule")
        await pilot.pause()
        assert error(app, "#fault-error") == "guard errors % must be above 0 and at most 100"
        assert focused_id(app) == "guard_error_percent"
        assert value(app, "guard_error_percent") == "150"  # kept as typed


async def test_after_a_refusal_fix_the_field_and_enter_sends() -> None:
    """60% over the cap: the form named delay %, the user typed 40 and pressed Enter, and
    Enter went on to the next field (then the next, seven times) with the old refusal
    still on screen. Now editing the field clears it, and Enter sends from there."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        screen = app.screen
        await fill(pilot, {**form("stage"), "delay_percent": "60%"})
        shown = str(screen.query_one("#fault-error", Static).render())
        assert shown == "delay % must be between 0 and 50" + AGAIN  # which one, and the cap
        assert focused_id(app) == "delay_percent"
        await pilot.press("ctrl+u", *"40")
        assert error(app, "#fault-error") == ""  # the refusal is about what is gone
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not screen, what="the form sent and closed")
        await app.refresh_now("faults")
        assert windows(app) == {"docs-api": WindowState.ACTIVE}


async def test_before_any_refusal_enter_still_walks_the_fields() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FaultWindowScreen), what="form")
        await pilot.press(*"docs-api", "enter")
        assert focused_id(app) == "namespace" and isinstance(app.screen, FaultWindowScreen)


async def test_halt_all_refused_puts_the_focus_on_the_field_at_fault() -> None:
    """Enter on an empty reason moved on to the confirm field; "abc" Enter was refused
    ("a reason is required") with the focus left in the confirm field, so the reason typed
    next landed there: "drill overHALT"."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="HALT dialog")
        await pilot.press("enter", *"abc", "enter")
        assert error(app, "#halt-error") == "a reason is required"
        assert focused_id(app) == "halt-reason"
        await pilot.press(*"drill over", "enter")
        assert error(app, "#halt-error") == "type HALT (in capitals) to confirm"
        assert focused_id(app) == "halt-confirm"
        assert value(app, "halt-reason") == "drill over"


async def test_the_dry_run_refused_puts_the_focus_on_the_field_at_fault() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="dry-run")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_for(pilot, lambda: not screen.running, within=30, what="the first run")
        await pilot.click("#replay-limit")
        await pilot.press("end", "ctrl+u", *"0", "enter")
        assert "above 0" in str(app.screen.query_one("#replay-status", Static).render())
        assert focused_id(app) == "replay-limit"
        await pilot.click("#replay-file")
        await pilot.press("end", "ctrl+u")
        await pilot.click("#replay-limit")
        await pilot.press("end", "ctrl+u", *"10", "enter")
        assert "policy file" in str(app.screen.query_one("#replay-status", Static).render())
        assert focused_id(app) == "replay-file"
