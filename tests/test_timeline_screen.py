"""Reading the timeline at 80 columns: the event under the cursor shown whole below the
table, and `/` narrowing the events to those with a word in them."""

from __future__ import annotations

from textual.widgets import Input, Label, Static

from backends.clock import FrozenClock
from tests.conftest import T0
from tests.helpers import local_app, wait_for
from tests.test_small_terminal import painted
from tests.test_type_ahead import burst
from tui.panes.keyed_table import KeyedTable
from tui.screens.filter import FilterScreen
from tui.screens.timeline import TimelineScreen


def flat(widget: Static | Label) -> str:
    return " ".join(str(widget.render()).split())


async def test_the_event_under_the_cursor_is_shown_whole_and_slash_filters() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await wait_for(pilot, lambda: len(app.timeline.newest_first()) >= 3, what="events")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="timeline")
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        table = screen.query_one(KeyedTable)
        detail = screen.query_one("#timeline-detail", Static)
        # the simulator's grants: their reasons run past the 80-column screen
        long = [i for i, e in enumerate(screen.events) if len(e.text) > 70]
        assert long, [e.text for e in screen.events]
        await pilot.press(*["down"] * long[0])
        await pilot.pause()
        event = screen.events[long[0]]
        assert table.selected_key == str(long[0])
        assert event.text not in table.render_line(long[0] + 1).text  # cut in the table
        assert event.text in flat(detail) and f"{event.at:%Y-%m-%d %H:%M:%S}Z" in flat(detail)
        # `/` takes a word; only the events with it stay, and the title says how many
        word = event.text.split()[2]  # e.g. the grantee
        want = [e for e in screen.events if word.casefold() in e.text.casefold()]
        assert 0 < len(want) < len(screen.events)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen), what="filter")
        await pilot.press(*word, "enter")
        await wait_for(pilot, lambda: table.row_count == len(want), what="filtered events")
        title = flat(screen.query_one("#timeline-title", Label))
        assert f"{len(want)} of {len(screen.events)} events match {word!r}" in title
        assert want[0].text in flat(detail)  # the cursor's event, after the filter
        await pilot.press("slash")  # an empty filter shows them all again
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen), what="filter")
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await wait_for(pilot, lambda: table.row_count == len(screen.events), what="all again")


async def test_new_events_under_a_filter_keep_the_cursor_on_its_event() -> None:
    """The audit history arriving while the timeline is filtered: the cursor is a row among
    those shown, not an index into every event (it jumped to another event)."""
    from datetime import timedelta

    from textual.app import App

    from backends.timeline import Event

    def ev(minute: int, kind: str, text: str) -> Event:
        return Event(T0 + timedelta(minutes=minute), kind, text)

    events = [ev(9 - i, k, f"{k} {i}") for i, k in enumerate(["alert", "fault", "grant"] * 3)]
    screen = TimelineScreen(events)
    app: App[None] = App()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(screen)
        await pilot.pause()
        table = screen.query_one(KeyedTable)
        table.row_filter = "fault"
        await pilot.press("down")
        chosen = screen.events[int(table.selected_key or "")]
        assert chosen.text == "fault 4"
        screen.show([ev(20, "audit", "older record"), ev(10, "fault", "fault new"), *events], "")
        await pilot.pause()
        assert screen.events[int(table.selected_key or "")] == chosen


async def test_a_filter_typed_in_one_burst_after_slash_reaches_the_filter() -> None:
    """`/zzz⏎` read in one go (a slow SSH link): the filter box opened empty, `zzz` lost."""
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await wait_for(pilot, lambda: len(app.timeline.newest_first()) >= 3, what="events")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="timeline")
        table = app.screen.query_one(KeyedTable)
        burst(app, "/grant\r")  # in one go, as a slow link delivers it
        await wait_for(pilot, lambda: table.row_filter == "grant", what="the filter applied")


async def test_at_120x36_a_long_title_is_shown_whole_with_its_times() -> None:
    """The title with a filter and the audit trail's note ran past the box at 120x36: it
    was cut after "live from", with no "…" and without the time."""
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await wait_for(pilot, lambda: bool(app.timeline.live_since), what="the timeline")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="timeline")
        screen = app.screen
        assert isinstance(screen, TimelineScreen)
        await wait_for(pilot, lambda: "live from" in screen.note, what="the audit history")
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, FilterScreen), what="filter")
        await pilot.press(*"rollback rehearsal", "enter")
        await wait_for(pilot, lambda: app.screen is screen, what="the timeline again")
        await pilot.pause()
        title = screen.query_one("#timeline-title", Label)
        shown = " ".join(" ".join(painted(app, title)).split())
        assert "match 'rollback rehearsal'" in shown, shown
        assert shown.endswith(" ".join(screen.note.split())), shown
