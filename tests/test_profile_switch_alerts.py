"""A profile switch and the alerts that go on across it.

Before: switched between two profiles that watch the same release train, the timeline
said "raised release train failure: ..." again after each switch, for the same failed
cut (the same alert, raised at the same time): the switch forgot every alert, so the
first look after it found them all new. Now an alert of the old profile that the new one
still lists, with the same key and raised at the same time, goes on without a second
"raised"; the switch's note counts only those left behind; a new alert is still raised.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from backends.clock import FrozenClock
from backends.config import load
from backends.models import Alert, AlertKind
from backends.timeline import Timeline
from backends.wiring import build_sources
from tests.conftest import T0
from tests.helpers import SIZE, wait_for
from tui.app import WatchfloorApp
from tui.operator_actions import Profile

PROFILES = """
[profiles.prod]
environment = "prod"
[profiles.stage]
environment = "stage"
"""


def app_for(cfg: Path, clock: FrozenClock) -> WatchfloorApp:
    def switch(name: str) -> Profile:
        return Profile(build_sources(load(cfg, profile=name), clock=clock))

    return WatchfloorApp(
        build_sources(load(cfg, profile="stage"), clock=clock),
        clock=clock,
        profiles=("prod", "stage"),
        active_profile="stage",
        switch_profile_to=switch,
    )


def raised(app: WatchfloorApp, kind: str) -> list[str]:
    return [e.text for e in app.timeline.events if e.text.startswith(f"raised {kind}:")]


async def test_an_alert_still_open_after_a_switch_is_not_raised_again(
    tmp_path: Path, frozen_clock: FrozenClock
) -> None:
    cfg = tmp_path / "profiles.toml"
    await asyncio.to_thread(cfg.write_text, PROFILES)
    app = app_for(cfg, frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await wait_for(
            pilot, lambda: bool(raised(app, "release train failure")), what="the failed cut's alert"
        )
        before = {a.key: a.raised_at for a in app.alert_strip.alerts}
        assert any(k.startswith("release:") for k in before), before
        for name in ("prod", "stage", "prod"):
            await app.switch_profile(name)
            await wait_for(pilot, app.all_panes_filled, what=f"{name}'s data")
            await pilot.pause(0.5)
        after = {a.key: a.raised_at for a in app.alert_strip.alerts}
        release = next(k for k in before if k.startswith("release:"))
        assert after.get(release) == before[release]  # the same alert, going on
        said = raised(app, "release train failure")
        assert len(said) == 1, said
        # the switch does not count it among those left behind
        notes = [e.text for e in app.timeline.events if e.text.startswith("switched to")]
        assert len(notes) == 3 and all("release" not in n for n in notes), notes


def alert(key: str, at_s: int, message: str = "v1 failed at 'verify'") -> Alert:
    return Alert(
        key=key,
        kind=AlertKind.RELEASE_FAILURE,
        severity="critical",
        message=message,
        raised_at=T0 + timedelta(seconds=at_s),
        raised_from="data",
    )


def test_the_timeline_carries_the_same_alert_over_and_raises_new_ones() -> None:
    tl = Timeline()
    tl.observe_alerts([alert("release:1", 0), alert("release:2", 5)], T0 + timedelta(minutes=1))
    assert tl.leave_alerts() == 2
    later = T0 + timedelta(minutes=2)
    # release:1 the same; release:2 another cut's failure under the same key (raised at
    # another time): new; release:3 new
    tl.observe_alerts([alert("release:1", 0), alert("release:2", 9), alert("release:3", 60)], later)
    assert tl.alerts.left_behind() == 1  # release:2: another alert under its key
    texts = [e.text for e in tl.events if e.text.startswith("raised")]
    assert len(texts) == 2 + 2, texts  # before the switch, then release:2 and release:3
    assert not [e for e in tl.events if e.text.startswith("cleared")]
    tl.observe_alerts([], later + timedelta(seconds=1))  # it clears as the alert it was
    cleared = [e.text for e in tl.events if e.text.startswith("cleared")]
    assert len(cleared) == 3, cleared
