"""The deny-spike alert at 80x24: the worst key and its rate lead, so the strip's cut at
the edge takes the figures everyone already has (the pane's summary), not the key."""

from __future__ import annotations

from textual.geometry import Region

from backends.alerts import derive
from backends.clock import FrozenClock
from backends.models import AccessSnapshot, DenyRateRow, HealthState, SourceHealth
from tests.conftest import T0
from tests.helpers import local_app, wait_for

OK = SourceHealth(state=HealthState.OK, last_ok_at=T0)


def spike(sampled: bool = False) -> AccessSnapshot:
    return AccessSnapshot(
        observed_at=T0,
        health=OK,
        source="mqtt",
        total=1908,
        denied=416,
        deny_rate=0.218,
        baseline_rate=0.085,
        sampled=sampled,
        rows=(
            DenyRateRow.of("tenant", "globex", 400, 188, ()),
            DenyRateRow.of("tenant", "acme", 971, 416, ()),
        ),
    )


def test_the_message_leads_with_the_worst_key() -> None:
    (alert,) = derive({"access": spike()}, T0)
    assert alert.message == "tenant=globex 47% (all 21.8%, baseline 8.5%)"
    (alert,) = derive({"access": spike(sampled=True)}, T0)
    assert alert.message == "tenant=globex 47% (all 21.8% sampled, baseline 8.5%)"
    (alert,) = derive({"access": spike().model_copy(update={"rows": ()})}, T0)
    assert alert.message == "deny rate 21.8% (baseline 8.5%)"


async def test_at_80x24_the_strip_keeps_the_worst_key_and_its_rate() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        strip = app.alert_strip
        strip.alerts = tuple(derive({"access": spike()}, T0))
        await pilot.pause()
        line = "".join(s.text for s in strip.render_lines(Region(0, 0, strip.size.width, 1))[0])
        assert "policy deny spike: tenant=globex 47%" in line, line
