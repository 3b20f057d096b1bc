"""Two dashboards on one data dir: alice marks the p99.9 baseline with `b`; bob's dashboard
kept the one it had (none, or an older one) until he restarted, and went on raising
p99.9 regressions against it that alice's had cleared. Now it checks the baselines file
(its size and time, a stat) every few seconds and takes in a newer baseline of its own
profile: it says who marked it and when, in a toast and in its timeline."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from textual.pilot import Pilot

from backends import alerts
from backends.clock import FrozenClock
from backends.models import AlertKind
from tests.conftest import T0
from tests.helpers import SIZE, wait_for
from tests.test_alert_acks import app_as
from tests.test_baseline_restore import DOCS, SEARCH, feed, lat, messages, notes
from tests.test_latency_pane import Scripted
from tui.app import WatchfloorApp

CHECK_S = 5.0  # tui/baseline_follow.py's
WITHIN = CHECK_S + 3  # a check, and the time to read the file and repaint


def scripted_app(actor: str, clock: FrozenClock, tmp_path: Path) -> tuple[WatchfloorApp, Scripted]:
    app = app_as(actor, clock, tmp_path)
    src = app.sources.by_capability["latency"] = Scripted()
    return app, src


def regressed(app: WatchfloorApp) -> bool:
    return any(a.key == f"p999:{DOCS}" for a in app.alert_strip.alerts)


async def test_bob_takes_in_the_baseline_alice_marks(
    frozen_clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the regression alert's 30 s hold is tested on its own (test_alerts)
    monkeypatch.setitem(alerts.HOLD, AlertKind.P999_REGRESSION, timedelta(0))
    alice, at_alice_src = scripted_app("alice", frozen_clock, tmp_path)
    bob, at_bob_src = scripted_app("bob", frozen_clock, tmp_path)
    async with alice.run_test(size=SIZE) as at_alice, bob.run_test(size=SIZE) as at_bob:
        both: tuple[tuple[WatchfloorApp, Pilot[None], Scripted], ...] = (
            (alice, at_alice, at_alice_src),
            (bob, at_bob, at_bob_src),
        )
        for app, pilot, src in both:
            await feed(pilot, app, src, lat(T0, 200.0, 320.0))
        await at_alice.press("b")
        await wait_for(at_alice, lambda: alice.baselines == {DOCS: 200.0, SEARCH: 320.0})
        await wait_for(at_bob, lambda: bool(bob.baselines), WITHIN, what="alice's baseline")
        assert bob.baselines == {DOCS: 200.0, SEARCH: 320.0}
        said = "Baseline marked by alice at 09:00:00Z: GET /docs/:id 200 ms, GET /search 320 ms"
        # a toast keeps a figure and its unit on one line (backends/durations.py `sep`)
        toast = f"p99.9 baseline: {said.replace(' ms', 'ms')}"
        # the toast is a message to the app: it lands a moment after the baseline is taken
        await wait_for(at_bob, lambda: toast in messages(bob), what="bob's toast")
        assert f"baseline marked by alice at 09:00:00Z: {said.split(': ', 1)[1]}" in notes(bob)

        frozen_clock.advance(60)  # docs is slower now: a regression on both dashboards
        for app, pilot, src in both:
            await feed(pilot, app, src, lat(T0 + timedelta(seconds=60), 400.0, 320.0))
            await wait_for(pilot, partial(regressed, app), what="the regression")
        await at_alice.press("b")  # alice takes it as the new normal
        await wait_for(at_alice, lambda: not regressed(alice), what="alice's alert cleared")
        await wait_for(at_bob, lambda: not regressed(bob), WITHIN, what="bob's alert cleared")
        assert bob.baselines == {DOCS: 400.0, SEARCH: 320.0}
        # (its toast may be gone already on a busy machine: toasts last 5 s)
        assert "baseline marked by alice at 09:01:00Z: GET /docs/:id 400 ms" in " ".join(notes(bob))

        await at_bob.pause(CHECK_S + 1)  # nothing new in the file: nothing said again
        assert len([n for n in notes(bob) if n.startswith("baseline marked by alice")]) == 2
        assert not any("marked by" in n for n in notes(alice))  # her own: not news to her
