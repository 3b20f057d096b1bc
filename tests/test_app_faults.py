"""Fault tests of the whole app (issue #8): a real Prometheus stopped and restarted under
the Latency pane with the app up throughout, and the helpers the other fault tests share
(the MQTT broker restart is in test_app_faults_mqtt.py, the HTTP backend answering 500s,
slow replies and garbage in test_app_faults_http.py).

What the user sees is what is asserted: the pane's health class (-ok / -error / -stale),
its border subtitle (state, data age, the error), the snapshot it holds (the last data),
and the alert strip. Recovery is timed in app time (the event loop's clock) from the
moment the source is back, polling with pilot.pause.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.worker import WorkerState

from backends.config import load
from backends.models import Alert, HealthState, LatencySnapshot, Snapshot
from backends.prom.options import PromOptions
from backends.prom.source import PromLatency
from backends.registry import BackendContext
from backends.wiring import Sources, build_sources
from tests.helpers import SIZE, wait_for
from tests.prom_server import LabThread, PromServer, prometheus_binary
from tui.app import WatchfloorApp

REFRESH_S = 1.0  # ui.refresh_s: how often polling sources are asked for news
TICK_S = 1.0  # the app paints polled news at its once-a-second tick


# --- what the user sees ---------------------------------------------------------------------


def health_class(app: WatchfloorApp, cap: str) -> str:
    """The pane's health class: ok, stale, error or no-data (exactly one is set)."""
    pane = app.pane(cap)
    found = [s.value for s in HealthState if pane.has_class(f"-{s.value}")]
    assert len(found) <= 1, (cap, found)
    return found[0] if found else "(none yet)"


def subtitle(app: WatchfloorApp, cap: str) -> str:
    """The pane's border subtitle as the user reads it (without its colours)."""
    return Content.from_markup(app.pane(cap).border_subtitle or "").plain


def shown_age_s(app: WatchfloorApp, cap: str) -> int | None:
    """The data's age the subtitle shows ("data 12s old"), in seconds."""
    m = re.search(r"data (\d+)s old", subtitle(app, cap))
    return int(m.group(1)) if m else None


def strip_text(app: WatchfloorApp) -> str:
    return str(app.alert_strip.render())


def source_alert(app: WatchfloorApp, cap: str) -> Alert | None:
    found = [a for a in app.alert_strip.alerts if a.key == f"source:{cap}"]
    assert len(found) <= 1, found  # one alert per source, however often it fails
    return found[0] if found else None


def shown(app: WatchfloorApp, cap: str) -> Snapshot:
    snap = app.pane(cap).snapshot
    assert isinstance(snap, Snapshot), (cap, snap)
    return snap


def assert_app_up(app: WatchfloorApp) -> None:
    """The app runs and every source's worker is still pumping."""
    assert app.is_running
    # the source workers (the audit-history one in their group ends once it has read
    # and, 2 s later, checked the trail)
    workers = {w.name: w.state for w in app.workers if w.name.startswith("source:")}
    assert len(workers) == 5 and set(workers.values()) == {WorkerState.RUNNING}, workers


async def until(
    pilot: Pilot[None],
    cond: Callable[[], bool],
    *,
    within: float,
    what: str,
    debug: Callable[[], object] | None = None,
) -> float:
    """Poll (in app time) until `cond`; returns how long it took. Fails after `within`."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not cond():
        if loop.time() - start > within:
            raise AssertionError(f"no {what} within {within}s; {debug() if debug else ''}")
        await pilot.pause(0.05)
    return loop.time() - start


async def recovery(
    pilot: Pilot[None], app: WatchfloorApp, cap: str, *, within: float
) -> tuple[float, float]:
    """From now (the source is back): how long until the app holds good data again, and
    until the pane shows it (-ok). Fails after `within`."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    data_s: float | None = None
    while loop.time() - start <= within:
        snap = app.snapshots[cap]
        if data_s is None and snap is not None and snap.health.state is HealthState.OK:
            data_s = loop.time() - start
        if data_s is not None and health_class(app, cap) == "ok":
            return data_s, loop.time() - start
        await pilot.pause(0.05)
    raise AssertionError(f"{cap} did not recover within {within}s (data back: {data_s})")


def assert_in_time(cap: str, data_s: float, shown_s: float, interval_s: float) -> None:
    """The issue's bound: good data within two refresh intervals of the source's return;
    the pane paints polled news at its next once-a-second tick."""
    print(f"{cap} recovered: data {data_s:.2f}s, shown {shown_s:.2f}s")
    assert data_s <= 2 * interval_s, f"{cap}: data back after {data_s:.1f}s"
    assert shown_s <= 2 * interval_s + TICK_S, f"{cap}: shown ok after {shown_s:.1f}s"


async def others_carry_on(pilot: Pilot[None], app: WatchfloorApp, cap: str = "access") -> None:
    """Another pane (on the local simulation) still gets fresh snapshots and shows them."""
    before = shown(app, cap).observed_at
    await until(
        pilot,
        lambda: shown(app, cap).observed_at > before,
        within=3 * TICK_S + 1,
        what=f"fresh data in the {cap} pane",
    )
    assert health_class(app, cap) == "ok"


class Faulty(WatchfloorApp):
    """The real app, keeping a log of every snapshot its workers delivered."""

    def __init__(self, sources: Sources) -> None:
        super().__init__(sources)
        self.delivered: list[tuple[str, Snapshot]] = []

    def receive(self, cap: str, snap: Snapshot) -> None:
        self.delivered.append((cap, snap))
        super().receive(cap, snap)

    def last_good(self, cap: str) -> Snapshot:
        """The last snapshot of `cap` with ok health the app received."""
        good = [s for c, s in self.delivered if c == cap and s.health.state is HealthState.OK]
        assert good, f"no good {cap} snapshot yet"
        return good[-1]


def use(monkeypatch: pytest.MonkeyPatch, **env: str) -> Faulty:
    for key, value in {"UI__REFRESH_S": str(REFRESH_S), **env}.items():
        monkeypatch.setenv(f"WATCHFLOOR_{key}", value)
    return Faulty(build_sources(load()))


# --- Prometheus stopped and restarted under the Latency pane ------------------------------


@pytest.fixture(scope="module")
def lab() -> Iterator[LabThread]:
    lab = LabThread()
    lab.start()
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def prom(lab: LabThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PromServer]:
    if prometheus_binary() is None:
        pytest.fail("prometheus is not installed (see .ci/system-deps.sh)")
    server = PromServer(tmp_path_factory.mktemp("prometheus"), [lab.target])
    server.start()
    yield server
    server.stop()


@pytest.mark.slow
async def test_prometheus_stopped_and_restarted_with_the_app_up(
    prom: PromServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = use(
        monkeypatch,
        PANES__LATENCY="prometheus",
        BACKENDS__PROMETHEUS__URL=prom.url,
        BACKENDS__PROMETHEUS__WINDOW="15s",
        BACKENDS__PROMETHEUS__TIMEOUT_S="1",
    )

    def has_p999() -> bool:
        snap = app.pane("latency").snapshot
        return (
            isinstance(snap, LatencySnapshot)
            and health_class(app, "latency") == "ok"
            and any(r.p999_ms is not None for r in snap.routes)
        )

    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot,
            has_p999,
            within=45,
            what="p99.9 from Prometheus in the pane",
            debug=lambda: (app.pane("latency").snapshot, app.snapshots["latency"]),
        )
        good = shown(app, "latency")
        assert isinstance(good, LatencySnapshot) and good.source == "prometheus"
        assert source_alert(app, "latency") is None

        await asyncio.to_thread(prom.stop)
        await until(
            pilot, lambda: health_class(app, "latency") == "error", within=10, what="error state"
        )
        await until(  # the data's age ticks on in the subtitle
            pilot, lambda: (shown_age_s(app, "latency") or 0) >= 2, within=4, what="an age"
        )
        down = shown(app, "latency")
        last = app.last_good("latency")
        assert isinstance(down, LatencySnapshot) and isinstance(last, LatencySnapshot)
        assert down.health.state is HealthState.ERROR and down.health.last_error
        assert down.routes == last.routes  # the last data is kept, not blanked
        assert any(r.p999_ms is not None for r in down.routes)
        assert down.health.last_ok_at == last.health.last_ok_at  # its age counts from there
        age = down.health.age_s(app.pane("latency").now)
        assert age is not None and abs(age - (shown_age_s(app, "latency") or -9)) <= 1.5
        text = subtitle(app, "latency")
        # the cause and the host first, then the data's age and the source
        assert text.startswith("✖ connection refused (127.0.0.1:"), text
        assert " · data " in text and text.endswith(" old · prometheus"), text
        alert = source_alert(app, "latency")
        assert alert is not None and "latency (prometheus)" in alert.message
        assert "source down" in strip_text(app) and "latency (prometheus)" in strip_text(app)
        assert_app_up(app)
        await others_carry_on(pilot, app)
        for _ in range(len(app.alert_strip.alerts)):  # `a` acks the newest: this one, or
            await pilot.press("a")  # one the simulation raised since on another pane
            await wait_for(pilot, lambda: not app.in_flight, what="the ack audited")
            alert = source_alert(app, "latency")
            if alert is not None and alert.acknowledged:
                break
        assert alert is not None and alert.acknowledged  # dimmed, still listed while down

        await asyncio.to_thread(prom.start)  # returns once Prometheus answers /-/ready
        data_s, shown_s = await recovery(pilot, app, "latency", within=30)
        back = shown(app, "latency")
        assert back.health.state is HealthState.OK and back.observed_at > down.observed_at
        assert subtitle(app, "latency").startswith("● ok · prometheus")
        assert source_alert(app, "latency") is None
        assert "latency (prometheus)" not in strip_text(app)
        assert_app_up(app)
        assert_in_time("latency", data_s, shown_s, REFRESH_S)


async def test_a_sub_second_prometheus_timeout_is_accepted(
    prom: PromServer, tmp_path: Path
) -> None:
    """Found while writing these tests: timeout_s=0.5 used to be sent as ?timeout=0.5s,
    which Prometheus refuses (400 bad_data), so the pane never got data."""
    src = PromLatency(
        PromOptions(url=prom.url, window="15s", timeout_s=0.5),
        BackendContext(data_dir=tmp_path, interval_s=1.0),
    )
    try:
        snap = await src.snapshot()
    finally:
        await src.aclose()
    assert snap.health.state is HealthState.OK, snap.health.last_error
