"""`A`: every current alert, not only the strip's three, and `a` there acknowledges the
one under the cursor (the strip's `a` can only take the top one)."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Static

from backends.alert_acks import Ack
from backends.alerts import AlertBook
from backends.clock import FrozenClock
from backends.models import Alert, AlertKind
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tui.panes.alerts import AlertStrip
from tui.panes.keyed_table import KeyedTable
from tui.screens.alerts import AlertsScreen


def alert(key: str, minutes: int, severity: str = "warning") -> Alert:
    return Alert(
        kind=AlertKind.P999_REGRESSION,
        key=key,
        raised_at=T0 + timedelta(minutes=minutes),
        message=f"{key} is slow",
        severity=severity,
    )


def test_acknowledge_takes_the_alert_with_that_key_once() -> None:
    book = AlertBook()
    book.update([alert("a", 1), alert("b", 2)], T0 + timedelta(minutes=3))
    assert book.claim("a") is not None
    assert book.claim("a") is None  # being acknowledged
    book.confirm("a", Ack("dave", T0))
    assert book.claim("a") is None  # already
    assert book.claim("gone") is None
    listed = book.update([alert("a", 1), alert("b", 2)], T0 + timedelta(minutes=4))
    assert [(a.key, a.acknowledged) for a in listed] == [("b", False), ("a", True)]


async def test_the_strip_says_how_to_see_the_ones_it_has_no_room_for() -> None:
    from textual.app import App, ComposeResult
    from textual.geometry import Region

    class Strip(App[None]):
        def compose(self) -> ComposeResult:
            yield AlertStrip()

    app = Strip()
    async with app.run_test(size=(80, 10)) as pilot:
        alerts = tuple(alert(k, i) for i, k in enumerate("abcde"))
        long = alerts[1].model_copy(update={"message": "x" * 200})  # cut at the edge
        app.query_one(AlertStrip).alerts = (alerts[0], long, *alerts[2:])
        await pilot.pause()
        lines = app.query_one(AlertStrip).render_lines(Region(0, 0, 80, 3))
        last = "".join(seg.text for seg in lines[2])
        # its own line, from the first cell: "+N more" was at the end of the third
        # message, and a long one cut it off
        assert last.startswith("+3 more · A lists all")


async def test_a_lists_every_alert_and_a_there_acks_the_one_under_the_cursor() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        strip = app.query_one(AlertStrip)
        await wait_for(pilot, lambda: len(strip.alerts) >= 2, what="two alerts")
        top, second = strip.alerts[:2]
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="the list")
        screen = app.screen
        table = screen.query_one(KeyedTable)
        await wait_for(pilot, lambda: table.row_count == len(strip.alerts), what="rows")
        assert list(table.rows) == [a.key for a in strip.alerts]
        await pilot.press("down")
        detail = " ".join(str(screen.query_one("#alerts-detail", Static).render()).split())
        assert second.kind.value in detail and " ".join(second.message.split()) in detail
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: {a.key: a.acknowledged for a in strip.alerts}[second.key],
            what="the second acknowledged",
        )
        assert not {a.key: a.acknowledged for a in strip.alerts}[top.key]  # not the top one
        assert any(
            e.text
            == f"acknowledged {second.kind.value} ({second.message}) by {app.sources.ctx.actor}"
            for e in app.timeline.events
        )
        # acknowledged, it keeps its severity: the list, its detail line and the strip
        acked = f"{'CRIT' if second.severity == 'critical' else 'WARN'} ✓ack"
        await wait_for(
            pilot, lambda: str(table.get_row_at(table.row_count - 1)[1]) == acked, what="shown"
        )
        await pilot.press("end")
        await pilot.pause()
        assert f" {acked} {second.kind.value}:" in str(
            screen.query_one("#alerts-detail", Static).render()
        )
        assert f" {acked} " in str(strip.render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, AlertsScreen), what="closed")
