"""A grant that ran out while no dashboard ran: the next dashboard's timeline (and its
game-day report) says it expired, at its expiry, from the grant's audit record. It showed
the grant, from the trail, and nothing after it, as if it were still held."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from backends.clock import FrozenClock
from backends.models import Actor
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tests.test_timeline_history import open_timeline, report_timeline, rows


async def test_a_grant_that_expired_while_no_dashboard_ran_is_in_the_timeline_once(
    frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    src = local_sources(frozen_clock)  # as `watchfloor grants grant --ttl 1m` does
    secret = await enroll(src)
    await src["grants"].grant(req(code_at(secret, frozen_clock.now())), ME)  # 30m: held
    frozen_clock.advance(31)  # a code is good once: the next one
    one_minute = req(code_at(secret, frozen_clock.now()), ttl=timedelta(minutes=1))
    short = await src["grants"].grant(one_minute.model_copy(update={"subject": "erin"}), ME)
    frozen_clock.advance(30)
    revoked = await src["grants"].grant(
        req(code_at(secret, frozen_clock.now()), subject="bob", ttl=timedelta(minutes=1)), ME
    )
    await src["grants"].revoke(revoked.id, Actor(name="frank"), "INC-4711 closed early")
    await src.aclose()
    frozen_clock.advance(300)  # no dashboard ran at 09:01:31Z; one starts at 09:06:01Z

    app = local_app(frozen_clock)
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        screen = await open_timeline(pilot, app, "from the audit trail")
        said = f"grant {short.id} (sre-oncall for erin) expired at 09:01:31Z"
        expired = [r for r in rows(screen) if " expired" in r[2]]
        assert expired == [("09:01:31Z", "audit", said)]  # not bob's: frank revoked it
        await pilot.press("escape", "x")
        await wait_for(pilot, lambda: any(tmp_path.glob("gameday-*.md")), what="the report")
    timeline = report_timeline(tmp_path)
    assert timeline.count(" expired at ") == 1
    assert f"| 09:01:31Z | audit | {said} |" in timeline
