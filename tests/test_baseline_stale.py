"""`b` while the latency source is not answering (a Prometheus timing out): the p99.9 the
pane shows is the last one it answered, 35 s ago.

Before: "Baseline marked: GET /docs/:id 1012 ms", as from fresh data, with nothing to say
it was not. Now, as during a fault window (tests/test_baseline_fault.py), the first `b`
says so and marks nothing; a second within 5 s marks it, and the toast, the timeline and
the kept baseline say "from data 35s old".
"""

from __future__ import annotations

from datetime import timedelta

from backends.clock import FrozenClock
from backends.models import HealthState, LatencySnapshot, SourceHealth
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.test_read_only import toasts
from tui.app import WatchfloorApp

TIMEOUT = "timed out after 5.0s (prometheus:9090)"


def go_stale(app: WatchfloorApp, old_s: float) -> None:
    """The latency source stops answering: its worker is stopped and what it would say
    then is delivered, the last p99.9 kept, `old_s` old."""
    for worker in app.workers:
        if worker.name == "source:latency":
            worker.cancel()
    last = app.snapshots["latency"]
    assert isinstance(last, LatencySnapshot) and last.routes
    health = SourceHealth(
        state=HealthState.ERROR,
        last_error=TIMEOUT,
        last_ok_at=app.clock.now() - timedelta(seconds=old_s),
        interval_s=2.0,
    )
    app.deliver("latency", last.model_copy(update={"health": health}))


def marks(app: WatchfloorApp) -> list[str]:
    return [e.text for e in app.timeline.events if e.text.startswith("baseline marked")]


async def test_b_on_stale_latency_asks_first_then_says_how_old_the_data_was() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        go_stale(app, 35)
        await pilot.pause()
        await pilot.press("b")
        await wait_for(pilot, lambda: any(TIMEOUT in t for t in toasts(app)), what="warning")
        (warning,) = [t for t in toasts(app) if TIMEOUT in t]
        assert "p99.9 is from data 35s old" in warning and "again" in warning, warning
        assert not app.baselines and not marks(app)

        await pilot.press("b")  # again, within 5 s: marked, and said to be stale
        said = "Baseline marked from data 35s old: "
        await wait_for(pilot, lambda: any(t.startswith(said) for t in toasts(app)), what="toast")
        assert app.baselines
        (mark,) = marks(app)
        assert mark.startswith("baseline marked from data 35s old: "), mark
        assert app.baseline_during == "from data 35s old"


async def test_b_on_fresh_latency_marks_at_once() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("b")
        await wait_for(pilot, lambda: bool(app.baselines), what="marked")
        (mark,) = marks(app)
        assert mark.startswith("baseline marked: "), mark
