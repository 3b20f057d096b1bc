"""An empty pane says what is known: "no fault windows" only from a source that answered."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import Input, Static

from backends.models import FaultsSnapshot, HealthState, SourceHealth
from tests.helpers import SIZE, local_app, wait_for
from tui.panes.base import empty_text

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def faults(health: SourceHealth) -> FaultsSnapshot:
    return FaultsSnapshot(observed_at=T0, health=health, source="kube")


def test_an_answer_says_nothing_is_there() -> None:
    ok = faults(SourceHealth(state=HealthState.OK, last_ok_at=T0))
    assert empty_text(ok, "No fault windows", ". As built.").plain == "No fault windows. As built."


def test_a_failing_source_says_unknown_or_as_of_its_last_answer() -> None:
    never = faults(SourceHealth(state=HealthState.ERROR, last_error="403 Forbidden"))
    assert empty_text(never, "No fault windows").plain == (
        "unknown: the source has not answered (403 Forbidden)"
    )
    earlier = T0.replace(minute=58, hour=11)
    lost = faults(
        SourceHealth(state=HealthState.ERROR, last_ok_at=earlier, last_error="ConnectTimeout")
    )
    assert empty_text(lost, "No fault windows", ". As built.").plain == (
        "No fault windows at 11:58:00Z, the last good answer. Failing now: ConnectTimeout"
    )


async def test_a_filter_that_matches_no_grant_says_so() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("4", "slash")
        await pilot.pause()
        app.screen.query_one(Input).value = "nobody-by-that-name"
        await pilot.press("enter")
        empty = app.pane("grants").query_one(".empty", Static)
        await wait_for(
            pilot,
            lambda: "no grant matches 'nobody-by-that-name'" in str(empty.render()),
            what="the no-match message",
        )
        assert app.pane("grants").has_class("-empty")
