"""After a refusal, the next keys go where they fix it. A refusal from the backend (a wrong
step-up code, a TTL over the policy's cap) put no focus anywhere, so the fresh code was
typed onto the end of the reason; in the field at fault, a code is typed over (it read
"00000055"), and a reason is added to ("INC-12" was typed over, and the incident id lost)."""

from __future__ import annotations

from textual.widgets import Input

from tests.grant_helpers import code_at, enroll
from tests.helpers import SIZE, local_sources, wait_for
from tests.test_form_focus import error, focused_id, value
from tui.app import WatchfloorApp
from tui.screens.grant import GrantScreen


async def test_each_refusal_leaves_the_focus_where_the_next_keys_fix_it() -> None:
    sources = local_sources()
    secret = await enroll(sources, sources.ctx.actor)
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="grant form")
        good = code_at(secret, app.clock.now())
        wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
        await pilot.press(*"erin", "enter", *"db-reader", "enter", *"INC-12", "enter")
        await pilot.press("ctrl+u", *"3h", "enter", *wrong, "enter")
        # too short a reason (the form's own check): the reason, cursor at its end
        assert error(app, "#grant-error").startswith("a grant needs a reason")
        assert focused_id(app) == "reason"
        await pilot.press(*" gateway 5xx, need pod exec", "enter")
        assert value(app, "reason") == "INC-12 gateway 5xx, need pod exec"
        # the policy's TTL cap, sent from the reason: the TTL, its text selected
        await wait_for(pilot, lambda: "over the cap" in error(app, "#grant-error"), what="cap")
        assert "TTL 3h is over the cap of 2h for db-reader" in error(app, "#grant-error")
        assert focused_id(app) == "ttl"
        await pilot.press(*"1h", "enter")
        assert value(app, "ttl") == "1h"
        # the step-up code, wrong, sent from the TTL: the code, its text selected
        await wait_for(pilot, lambda: "wrong" in error(app, "#grant-error"), what="code refusal")
        assert focused_id(app) == "code"
        await pilot.press(*good)
        assert value(app, "code") == good  # typed over, not "00000055"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, GrantScreen), what="granted")
        (g,) = [g for g in app.snapshots["grants"].grants if g.subject == "erin"]  # type: ignore[union-attr]
        assert g.reason == "INC-12 gateway 5xx, need pod exec" and g.role == "db-reader"


async def test_a_code_refused_while_its_field_has_the_focus_is_typed_over() -> None:
    """Enter pressed in the code field: the focus does not move, and the code was kept
    with the cursor at its end, so the next code ran on after it."""
    sources = local_sources()
    secret = await enroll(sources, sources.ctx.actor)
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="grant form")
        good = code_at(secret, app.clock.now())
        wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
        await pilot.press(*"erin", "enter", *"sre-oncall", "enter")
        await pilot.press(*"INC-77 fix it now", "enter", "enter", *wrong, "enter")
        await wait_for(pilot, lambda: "wrong" in error(app, "#grant-error"), what="refusal")
        code = app.screen.query_one("#code", Input)
        assert app.focused is code
        await pilot.press(*good)
        assert code.value == good
