"""A step-up code is spent per 30-second step for the whole data dir: a code never typed
before is refused after `stepup enroll --rotate`, or after a second engineer's grant in the
same step. It was refused as "step-up code was already used; wait for the next one",
which is not what happened; now it says what did, and how long until the next code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Static

from backends.clock import FrozenClock
from backends.contracts import ActionRefused
from backends.models import Actor
from tests.conftest import T0
from tests.grant_helpers import ME, code_at, enroll, req, secret_of
from tests.helpers import SIZE, local_sources, wait_for
from tui.app import WatchfloorApp
from tui.screens.grant import GrantScreen

SPENT = "a step-up code for this 30-second step was already used"


async def test_a_second_engineers_code_in_the_same_step_says_whose_and_how_long() -> None:
    clock = FrozenClock(T0)
    clock.advance(12)  # 18 s left in the step
    src = local_sources(clock)
    secret = await enroll(src)
    code = code_at(secret, clock.now())
    await src["grants"].grant(req(code), Actor(name="erin"))
    with pytest.raises(ActionRefused) as refused:
        await src["grants"].grant(req(code, subject="bob"), ME)
    assert str(refused.value) == (
        f"{SPENT} (by erin): codes are single-use per step, for everyone on this data dir;"
        " wait for the next code, in 18 s"
    )
    assert refused.value.field == "step_up_code"
    clock.advance(18)
    await src["grants"].grant(req(code_at(secret, clock.now()), subject="bob"), ME)
    await src.aclose()


async def test_a_fresh_code_after_a_rotation_in_the_grant_form() -> None:
    clock = FrozenClock(T0)
    clock.advance(25)
    sources = local_sources(clock)
    old = await enroll(sources, sources.ctx.actor)
    await sources["grants"].grant(req(code_at(old, clock.now())), Actor(name=sources.ctx.actor))
    new = secret_of(await sources["stepup"].enroll(sources.ctx.actor, rotate=True))
    fresh = code_at(new, clock.now())
    assert fresh != code_at(old, clock.now())  # never typed before

    app = WatchfloorApp(sources, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="the form")
        form = app.screen
        for text in ("erin", "sre-oncall", "INC-77 fix the gateway"):
            await pilot.press(*text, "enter")
        await pilot.press("enter", *fresh, "enter")  # the TTL as it is (30m), the code
        error = form.query_one("#grant-error", Static)
        await wait_for(pilot, lambda: SPENT in str(error.render()), what="the refusal")
        text = str(error.render())
        assert "wait for the next code, in 5 s" in text and "(by " not in text
        assert app.screen is form


async def test_a_refund_gives_back_only_the_actors_own_last_code() -> None:
    """A failed grant gives its code back; never one another engineer spent since."""
    clock = FrozenClock(T0)
    src = local_sources(clock)
    secret = await enroll(src)
    stepup = src["stepup"]
    first = code_at(secret, clock.now())
    await stepup.verify("erin", first)
    assert await stepup.refund("erin", first)  # erin's grant failed: hers again
    await stepup.verify("erin", first)
    clock.advance(30)
    later = code_at(secret, clock.now())
    await stepup.verify("bob", later)  # bob's, in the next step
    assert not await stepup.refund("erin", first)  # not erin's to give back any more
    with pytest.raises(ActionRefused, match="already used"):
        await stepup.verify("carol", later)
    await src.aclose()


async def test_a_used_code_of_the_step_before_says_to_use_the_current_one() -> None:
    """A code of the step before (still accepted, for clock drift) that someone had used
    was refused as "already used for this 30-second step ... wait for the next code, in
    1 s", though the current code worked at once."""
    clock = FrozenClock(T0)
    clock.advance(20)  # 10 s left in the step
    src = local_sources(clock)
    secret = await enroll(src)
    stale = code_at(secret, clock.now())
    await src["grants"].grant(req(stale), Actor(name="erin"))
    clock.advance(15)  # the next step, 5 s in
    with pytest.raises(ActionRefused) as refused:
        await src["grants"].grant(req(stale, subject="bob"), ME)
    assert str(refused.value) == (
        "this step-up code is from a past 30-second step and was already used (by erin):"
        " use the current code from your authenticator"
    )
    await src["grants"].grant(req(code_at(secret, clock.now()), subject="bob"), ME)  # works

    clock.advance(30)  # and when the current step's code was used too: how long to wait
    await src["grants"].grant(req(code_at(secret, clock.now()), subject="carol"), ME)
    previous = code_at(secret, clock.now() - timedelta(seconds=30))
    with pytest.raises(ActionRefused) as refused:
        await src["grants"].grant(req(previous, subject="bob"), Actor(name="erin"))
    assert str(refused.value) == (
        "this step-up code is from a past 30-second step and was already used, and so was"
        f" the current step's (by {ME.name}): wait for the next code, in 25 s"
    )
    await src.aclose()
