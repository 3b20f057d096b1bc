"""`a` in the alerts list (`A`): the row shows ✓ack as soon as the ack is in the audit
trail, and a second `a` on it says which case it is.

Before: the list took its alerts from a 1 s timer only, so for up to a second after `a`
nothing changed on it (the strip below had changed); a second `a` then said "Already
acknowledged, or no longer firing", which of the two it did not say."""

from __future__ import annotations

from backends.alert_acks import Ack
from backends.alerts import AlertBook
from backends.models import Alert
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.test_alerts import access
from tui.panes.keyed_table import KeyedTable
from tui.screens.alerts import AlertsScreen


async def test_the_list_shows_the_ack_when_the_strip_does() -> None:
    app = local_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: bool(app.alert_strip.alerts), what="an alert")
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="the list")
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        key = screen.query_one(KeyedTable).selected_key
        await pilot.press("a")

        def acked(alerts: tuple[Alert, ...]) -> bool:
            return any(a.key == key and a.acknowledged for a in alerts)

        await wait_for(pilot, lambda: acked(app.alert_strip.alerts), what="the strip's ✓ack")
        assert acked(screen.alerts)  # at once, not at the list's next second


def test_why_an_alert_cannot_be_acknowledged_says_which_case() -> None:
    book = AlertBook()
    (spike,) = book.update(book.derive({"access": access(1000, 300, 0.05)}, T0), T0)
    assert book.claim(spike.key) is spike
    assert book.why_not(spike.key).startswith("Being acknowledged")
    book.confirm(spike.key, Ack("alice", T0))
    assert book.why_not(spike.key) == "Already acknowledged, by alice"
    assert book.update(book.derive({"access": access(1000, 10, 0.05)}, T0), T0) == []  # cleared
    assert book.why_not(spike.key) == "No longer firing: nothing to acknowledge"
