"""What `d` and the pane's top-denials line count, and the filter's keys, driven like a
user on the local simulation: before, `d` said "16 of 50 recent denials" (50 denials of
the last 15 s or so) under a pane that counts 60 s, top denials under "in 60s" came from
those same 50 and split one rule by its detail, and `env=prod` matched nothing, silently.
"""

from __future__ import annotations

from textual.widgets import Input, Static

from backends.clock import FrozenClock
from backends.models import AccessSnapshot
from tests.access.test_access_pilot import open_denials
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tui.fmt import duration
from tui.panes.access import rule_names, top_denials


async def test_d_and_top_denials_say_which_denials_they_count() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        snap = app.snapshots["access"]
        assert isinstance(snap, AccessSnapshot)
        recent = snap.recent_denied
        n, newest, oldest = len(recent), recent[0].timestamp, recent[-1].timestamp
        assert (newest - oldest).total_seconds() < snap.window_s / 2  # less than the pane counts
        top = str(app.pane("access").query_one("#access-top").render())
        assert top.startswith(f"last {n} denials ({duration(newest - oldest)}): ")
        # by rule: "billing: data_residency", not one line per tenant and region
        for what, times in top_denials(recent):
            service, _, rules = what.partition(": ")
            assert ":" not in rules and f"{times}x {what}" in top
            with_rules = [d for d in recent if d.attrs.service == service]
            assert times == sum(rule_names(d.reason) == rules for d in with_rules)
        screen, _ = await open_denials(app, pilot)
        count = str(screen.query_one("#denials-count", Static).render())
        span = f"the last {n} denials, {oldest:%H:%M:%S}Z to {newest:%H:%M:%S}Z"
        assert count.startswith(span[0].upper() + span[1:]), count
        await pilot.press(*"tenant=acme")
        acme = [d for d in recent if "acme" in d.attrs.tenant]
        await wait_for(pilot, lambda: len(screen.shown()) == len(acme), what="filtered")
        count = str(screen.query_one("#denials-count", Static).render())
        assert count == f"{len(acme)} of {span}, match 'tenant=acme'"


async def test_the_filter_takes_the_column_headings_and_names_a_key_it_lacks() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen, table = await open_denials(app, pilot)
        recent = screen.decisions
        prod = [d for d in recent if d.attrs.environment == "prod"]
        assert 0 < len(prod) < len(recent)
        await pilot.press(*"env=prod")  # the column is headed `env`
        await wait_for(pilot, lambda: table.row_count == len(prod), what="prod rows")
        count = str(screen.query_one("#denials-count", Static).render())
        assert count.startswith(f"{len(prod)} of ") and "no key" not in count
        screen.query_one(Input).value = ""
        await pilot.press(*"enviroment=prod")
        await wait_for(pilot, lambda: table.row_count == 0, what="no rows")
        count = str(screen.query_one("#denials-count", Static).render())
        assert "no key 'enviroment': did you mean environment?" in count, count
