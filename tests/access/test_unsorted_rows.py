"""A third-party access adapter that gives its rows in its own order (by name, say): the
deny-spike alert named the first row with ten decisions as the worst, "policy deny spike:
tenant=acme 12% (all 28.0%)" while globex was at 60 %, and the pane listed the rows as the
adapter gave them, the worst key anywhere. Now both go by the rates, whatever the order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from backends.alerts import derive
from backends.clock import FrozenClock
from backends.models import AccessSnapshot, DenyRateRow, HealthState, SourceHealth
from tests.conftest import T0
from tests.helpers import SIZE, local_sources, wait_for
from tui.app import WatchfloorApp


class Unsorted:
    """An access adapter fed by the test, whose rows come in whatever order it likes."""

    name = "third-party"

    def __init__(self) -> None:
        self.queue: asyncio.Queue[AccessSnapshot] = asyncio.Queue()

    async def watch(self) -> AsyncIterator[AccessSnapshot]:
        while True:
            yield await self.queue.get()

    async def aclose(self) -> None:
        return None


def by_name(*rows: tuple[str, int, int]) -> AccessSnapshot:
    """The rows by value (name order), as the adapter gives them: (tenant, total, denied)."""
    at = T0
    return AccessSnapshot(
        observed_at=at,
        health=SourceHealth(state=HealthState.OK, last_ok_at=at),
        source="third-party",
        total=500,
        denied=140,
        deny_rate=0.28,
        baseline_rate=0.05,
        rows=tuple(DenyRateRow.of("tenant", v, t, d, ()) for v, t, d in sorted(rows)),
    )


SPIKE = by_name(("acme", 400, 48), ("globex", 50, 30), ("initech", 45, 9), ("umbrella", 5, 5))


def test_the_spike_names_the_worst_row_whatever_the_order() -> None:
    (alert,) = derive({"access": SPIKE}, T0)
    # umbrella's 100 % is 5 decisions: too few to name (as before)
    assert alert.message == "tenant=globex 60% (all 28.0%, baseline 5.0%)"


async def test_the_pane_lists_the_worst_first_and_the_cursor_keeps_its_row() -> None:
    clock = FrozenClock(T0)
    sources = local_sources(clock)
    src = sources.by_capability["access"] = Unsorted()
    app = WatchfloorApp(sources, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await src.queue.put(SPIKE)
        table = app.pane("access").table()
        await wait_for(pilot, lambda: table.row_count == 4, what="the rows")
        order = ["tenant=umbrella", "tenant=globex", "tenant=initech", "tenant=acme"]
        assert list(table.rows) == order
        top = next(a for a in app.alert_strip.alerts if a.key == "access")
        assert top.message.startswith("tenant=globex 60%")

        await pilot.press("3", "down", "down")  # the cursor on initech
        assert table.selected_key == "tenant=initech"
        worse = ("acme", 400, 280), ("globex", 50, 30), ("initech", 45, 9), ("umbrella", 5, 5)
        later = by_name(*worse)
        await src.queue.put(later)
        await wait_for(pilot, lambda: list(table.rows)[1] == "tenant=acme", what="re-sorted")
        assert list(table.rows) == [order[0], "tenant=acme", "tenant=globex", "tenant=initech"]
        assert table.selected_key == "tenant=initech"  # picked: it follows its row
