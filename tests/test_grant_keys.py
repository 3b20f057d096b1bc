"""Break-glass keys as an on-call engineer meets them: `r` away from the grants pane says
how to pick a grant (it did nothing, said nothing); at 80x24 a form opens at its top with
its first field focused (the grant form opened scrolled, its title off the top); the grant
form suggests only roles the policy lets this actor grant (it offered cluster-admin, and
the grant was then refused "root may not grant cluster-admin")."""

from __future__ import annotations

import pytest
from textual.containers import Vertical
from textual.widgets import Label, Static

from backends.breakglass import BreakGlassGate
from backends.models import Actor
from tests.helpers import SIZE, local_app, wait_for
from tests.test_read_only import toasts
from tests.test_small_terminal import FORMS
from tui.screens.grant import GrantScreen
from tui.screens.revoke import RevokeScreen

NO_GRANT = "No grant selected (4 focuses the grants pane)"


async def test_r_away_from_the_grants_pane_says_how_to_pick_a_grant() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("1", "r")  # the latency pane has the focus
        await wait_for(pilot, lambda: any(NO_GRANT in t for t in toasts(app)), what=NO_GRANT)
        assert not isinstance(app.screen, RevokeScreen)  # no guess at a grant
        await pilot.press("4", "r")  # from the grants pane: the grant under its cursor
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeScreen), what="revoke")


@pytest.mark.parametrize(("keys", "form"), FORMS, ids=[f.__name__ for _, f in FORMS])
async def test_at_80x24_a_form_opens_at_its_top_with_its_first_field_focused(
    keys: tuple[str, ...], form: type
) -> None:
    app = local_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press(*keys)
        await wait_for(pilot, lambda: isinstance(app.screen, form), what=form.__name__)
        await pilot.pause(0.3)
        screen = app.screen
        box = screen.query_one(Vertical)
        title = box.query(Static).first()
        assert box.scroll_y == 0, (form.__name__, box.scroll_y)
        assert box.region.contains_region(title.region), (title.region, box.region)
        first = screen.first_focus()  # type: ignore[attr-defined]
        assert first and screen.focused is screen.query_one(first), screen.focused


async def test_the_grant_form_suggests_only_roles_the_actor_may_grant() -> None:
    app = local_app()  # the actor has the default actor roles: oncall
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GrantScreen), what="the form")
        screen = app.screen
        allowed = "role (sre-oncall, db-reader, prod-deployer)"

        def labels() -> list[str]:
            return [str(w.render()) for w in screen.query(Label)]

        await wait_for(pilot, lambda: allowed in labels(), what=allowed)
        assert not any("cluster-admin" in t for t in labels())


def test_which_roles_an_actor_may_grant_is_the_policys_answer() -> None:
    """Asked of breakglass.rego role by role (no code, nothing granted): the backend's
    enabled roles in their order, else every role the policy knows."""
    enabled = ("sre-oncall", "db-reader", "prod-deployer", "cluster-admin")
    gate = BreakGlassGate(
        None,
        actor_roles={"ic": ("incident-commander",)},
        default_roles=("oncall",),
        enabled_roles=enabled,
    )
    assert gate.grantable_roles(Actor(name="dave")) == enabled[:3]
    assert gate.grantable_roles(Actor(name="ic")) == enabled
    assert gate.grantable_roles(Actor(name="x", roles=("auditor",))) == ()
    opa_like = BreakGlassGate(None, actor_roles={}, default_roles=("oncall",))  # none enabled
    assert opa_like.grantable_roles(Actor(name="dave")) == (
        "db-reader",
        "prod-deployer",
        "sre-oncall",
    )
