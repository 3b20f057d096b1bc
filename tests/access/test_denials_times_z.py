"""The recent denials (`d`) say their times in UTC with a `Z`, as the line above them does.

Before: the header read "the last 50 denials, 23:41:55Z to 23:42:09Z" and the rows below
it `23:42:09 0f3a…`: a time without its zone, read as local time on a laptop off UTC.
"""

from __future__ import annotations

import re

from backends.clock import FrozenClock
from tests.access.test_access_pilot import open_denials
from tests.conftest import T0
from tests.helpers import local_app, wait_for


async def test_at_80x24_each_denials_time_has_its_z() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen, table = await open_denials(app, pilot)
        await pilot.pause()
        shown = {d.decision_id[:12]: d for d in screen.shown()}
        for y in range(1, min(table.row_count, table.size.height - 1)):
            line = table.render_line(y).text
            stamp, short = line.split()[:2]
            assert re.fullmatch(r"\d\d:\d\d:\d\dZ", stamp), line
            assert stamp == f"{shown[short].timestamp:%H:%M:%S}Z", line
