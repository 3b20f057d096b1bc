"""The access pane's top-denials line at 80 columns.

Before: at 80x24 it read "top denials in 60s: 132x gateway: tenant_mi…": the rule, the
one thing to know, cut mid-word. Now the less important parts go first (the head's
words, the later denials, said with "…", then the service), and the rule stays whole.
"""

from __future__ import annotations

from backends.clock import FrozenClock
from backends.models import AccessSnapshot, HealthState, SourceHealth
from tests.conftest import T0
from tests.helpers import local_app, wait_for
from tui.panes.access import top_line


async def test_at_80_columns_the_top_denial_keeps_its_rule_whole() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.pause(1.2)
        snap = app.snapshots["access"]
        assert isinstance(snap, AccessSnapshot) and snap.top_denials
        what, count = snap.top_denials[0]
        top = app.pane("access").query_one("#access-top")
        drawn = top.render_line(0).text.rstrip()
        assert top.size.width < len(top_line(snap).plain)  # too narrow for it all
        assert f"{count}x {what}" in drawn, drawn  # service and rule, whole
        assert drawn.endswith("…"), drawn  # and says there is more


def test_the_service_is_shortened_before_the_rule() -> None:
    snap = AccessSnapshot(
        observed_at=T0,
        health=SourceHealth(state=HealthState.OK, last_ok_at=T0),
        window_s=60,
        top_denials=(("a-very-long-service-name: environment_data_class", 12),),
    )
    shown = top_line(snap, 40).plain
    assert shown.endswith(": environment_data_class"), shown
    assert "…" in shown and len(shown) <= 40, shown
