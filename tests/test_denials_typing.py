"""In the denials dialog (`d`), characters typed while the table has the focus go to the
filter, as in fzf or k9s: a click on a row focused the table, and `acme` typed then was
lost (the footer said only "tab Next field  esc Close")."""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input

from backends.clock import FrozenClock
from backends.models import AccessSnapshot
from tests.access.test_access_pilot import open_denials
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for


async def test_typing_after_a_click_on_a_row_goes_to_the_filter() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen, table = await open_denials(app, pilot)
        field = screen.query_one("#denials-filter", Input)
        await pilot.click(table, offset=(2, 2))  # the second row
        assert table.has_focus and table.cursor == 1
        await pilot.press(*"acme")
        await wait_for(pilot, lambda: field.value == "acme", what=f"acme, have {field.value!r}")
        assert field.has_focus

        # the arrows still move the table's cursor, and Enter leaves the filter for it
        await pilot.press("enter")
        assert table.has_focus and table.row_count > 1
        await pilot.press("home", "down")
        assert table.cursor == 1
        await pilot.press(*" kj")  # letters the table binds (vi keys) are letters here
        await wait_for(pilot, lambda: field.value == "acme kj", what=f"have {field.value!r}")
        assert field.has_focus and field.cursor_position == len("acme kj")

        await pilot.press("enter")  # and a paste goes there too
        assert table.has_focus
        app.post_message(events.Paste(" docs"))
        await wait_for(pilot, lambda: field.value == "acme kj docs", what=f"{field.value!r}")


async def test_a_burst_typed_on_the_table_lands_whole_in_the_filter() -> None:
    """Over a slow link the keys come in one read: the first one moves the focus, and the
    ones read after it must not still go to the table (the h in `tenant=`...)."""
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        snap = app.snapshots["access"]
        assert isinstance(snap, AccessSnapshot)
        tenant = snap.recent_denied[0].attrs.tenant
        screen, table = await open_denials(app, pilot)
        field = screen.query_one("#denials-filter", Input)
        await pilot.click(table, offset=(2, 1))
        assert table.has_focus
        typed = f"tenant={tenant}"
        for ch in typed:
            app.post_message(events.Key(_character_to_key(ch), ch))
        want = [d for d in snap.recent_denied if d.attrs.tenant == tenant]
        await wait_for(pilot, lambda: field.value == typed, what=f"have {field.value!r}")
        await wait_for(pilot, lambda: table.row_count == len(want), what="filtered rows")
