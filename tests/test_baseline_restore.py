"""A p99.9 baseline marked with `b` survives a restart of the dashboard: it is kept in the
data dir per profile / environment, restored at start and after a profile switch, and said
so; one from another profile, one too old, or an unreadable file is not applied, and the
dashboard carries on."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from backends import alerts
from backends.baseline_store import (
    Found,
    KeptBaseline,
    P999Mark,
    baseline_key,
    load_baseline,
    save_baseline,
)
from backends.clock import FrozenClock
from backends.config import load
from backends.models import AlertKind, HealthState, LatencySnapshot, RouteLatency, SourceHealth
from backends.wiring import Sources, build_sources
from tests.conftest import T0
from tests.helpers import SIZE, local_sources, wait_for
from tests.test_latency_pane import Scripted
from tui.app import WatchfloorApp
from tui.operator_actions import Profile
from tui.panes.alerts import AlertStrip

DOCS, SEARCH = "GET /docs/:id", "GET /search"
STORE = "baselines.json"
PROFILES = '[profiles.prod]\nenvironment = "prod"\n'


def lat(at: datetime, docs: float, search: float) -> LatencySnapshot:
    return LatencySnapshot(
        observed_at=at,
        health=SourceHealth(state=HealthState.OK, last_ok_at=at),
        routes=tuple(
            RouteLatency(route=name, p999_ms=p, slo_ms=400.0, observations=5000)
            for name, p in ((DOCS, docs), (SEARCH, search))
        ),
    )


def scripted(sources: Sources) -> Scripted:
    src = Scripted()
    sources.by_capability["latency"] = src
    return src


def new_app(clock: FrozenClock) -> tuple[WatchfloorApp, Scripted]:
    sources = local_sources(clock)
    return WatchfloorApp(sources, clock=clock), scripted(sources)


def messages(app: WatchfloorApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def notes(app: WatchfloorApp) -> list[str]:
    return [e.text for e in app.timeline.events if e.kind == "note"]


def vs_base(app: WatchfloorApp, route: str = DOCS) -> str:
    return str(app.pane("latency").table().get_cell(route, "vs base"))


async def feed(
    pilot: Pilot[None], app: WatchfloorApp, src: Scripted, snap: LatencySnapshot
) -> None:
    await src.queue.put(snap)
    await wait_for(pilot, lambda: app.pane("latency").snapshot == snap, what="latency shown")


async def mark_baseline_at(clock: FrozenClock) -> None:
    """A first run: first seen 180 ms, then 200 / 320 ms marked as the baseline with `b`."""
    app, src = new_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        await feed(pilot, app, src, lat(clock.now(), 180.0, 300.0))
        await feed(pilot, app, src, lat(clock.now(), 200.0, 320.0))
        await pilot.press("b")
        await pilot.pause()
        assert app.baselines == {DOCS: 200.0, SEARCH: 320.0}


def reports(where: Path) -> list[str]:
    return [p.read_text() for p in sorted(where.glob("gameday-*.md"))]


async def test_a_marked_baseline_is_restored_after_a_restart(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the regression alert's 30 s hold is tested on its own (test_alerts)
    monkeypatch.setitem(alerts.HOLD, AlertKind.P999_REGRESSION, timedelta(0))
    await mark_baseline_at(FrozenClock(T0 + timedelta(minutes=42)))

    clock = FrozenClock(T0 + timedelta(hours=2))  # the SSH session dropped; watchfloor again
    app, src = new_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        assert app.baselines == {DOCS: 200.0, SEARCH: 320.0}
        restored = "baseline from 09:42Z restored (press b to mark a new one)"
        assert any(restored.lower() in m.lower() for m in messages(app)), messages(app)
        assert any(n.startswith("baseline from 09:42Z restored") for n in notes(app))
        await feed(pilot, app, src, lat(clock.now(), 250.0, 320.0))
        assert vs_base(app) == "+25%" and vs_base(app, SEARCH) == "+0%"
        await wait_for(
            pilot,
            lambda: any(a.key == f"p999:{DOCS}" for a in app.query_one(AlertStrip).alerts),
            what="the p99.9 regression alert against the restored baseline",
        )
        await pilot.press("x")
        await pilot.pause()
    (md,) = await asyncio.to_thread(reports, data_dir)
    # baseline from the first run, first seen at the start of the game day, not the restart
    assert "| GET /docs/:id | 400 ms | 200 ms | 180 ms | 250 ms | +25.0% |" in md


async def test_a_baseline_of_another_profile_is_not_applied(tmp_path: Path, data_dir: Path) -> None:
    cfg = tmp_path / "c.toml"
    await asyncio.to_thread(cfg.write_text, PROFILES)
    clock = FrozenClock(T0)
    prod_sources = build_sources(load(cfg, profile="prod"), clock=clock)
    prod_src = scripted(prod_sources)
    app = WatchfloorApp(prod_sources, clock=clock, profiles=("prod",), active_profile="prod")
    async with app.run_test(size=SIZE) as pilot:
        await feed(pilot, app, prod_src, lat(T0, 200.0, 320.0))
        await pilot.press("b")
        await pilot.pause()
        assert app.baselines == {DOCS: 200.0, SEARCH: 320.0}

    later: list[Scripted] = []

    def switch(name: str) -> Profile:
        sources = build_sources(load(cfg, profile=name), clock=clock)
        later.append(scripted(sources))
        return Profile(sources)

    default_sources = build_sources(load(cfg), clock=clock)  # env "local", no profile
    default_src = scripted(default_sources)
    app = WatchfloorApp(default_sources, clock=clock, profiles=("prod",), switch_profile_to=switch)
    async with app.run_test(size=SIZE) as pilot:
        await feed(pilot, app, default_src, lat(T0, 250.0, 330.0))
        assert app.baselines == {}  # prod's baseline is not local's
        assert vs_base(app) == "—"
        assert not any("restored" in n for n in notes(app))
        await app.switch_profile("prod")  # back on prod: its own baseline again
        assert app.baselines == {DOCS: 200.0, SEARCH: 320.0}
        await feed(pilot, app, later[0], lat(T0, 220.0, 320.0))
        assert vs_base(app) == "+10%"
        assert any(n.startswith("baseline from 09:00Z restored") for n in notes(app))


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '{"version": 1, "baselines": 3}'])
async def test_an_unreadable_baseline_file_warns_once_and_the_dashboard_carries_on(
    data_dir: Path, body: str
) -> None:
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    await asyncio.to_thread((data_dir / STORE).write_text, body)
    clock = FrozenClock(T0)
    app, src = new_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        await feed(pilot, app, src, lat(T0, 200.0, 320.0))
        assert app.is_running and app.baselines == {} and vs_base(app) == "—"
        warned = [m for m in messages(app) if STORE in m]
        assert len(warned) == 1 and "without" in warned[0], messages(app)
        await pilot.press("b")  # marking still works, and is kept from now on
        await pilot.pause()
        assert app.baselines == {DOCS: 200.0, SEARCH: 320.0} and vs_base(app) == "+0%"
    saved = json.loads(await asyncio.to_thread((data_dir / STORE).read_text))
    assert isinstance(saved, dict)


async def test_a_baseline_older_than_a_day_is_not_restored(data_dir: Path) -> None:
    await mark_baseline_at(FrozenClock(T0))
    clock = FrozenClock(T0 + timedelta(hours=25))
    app, src = new_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        await feed(pilot, app, src, lat(clock.now(), 250.0, 320.0))
        assert app.baselines == {} and vs_base(app) == "—"
        old = [m for m in messages(app) if "not restored" in m]
        assert len(old) == 1 and "2026-03-16 09:00Z" in old[0], messages(app)
        assert any("not restored" in n for n in notes(app))


# --- the file itself (backends/baseline_store.py) -----------------------------------------


def kept_at(at: datetime, docs: float = 200.0) -> KeptBaseline:
    return KeptBaseline(baseline=P999Mark(at=at, p999_ms={DOCS: docs}))


def test_the_store_keeps_each_key_apart_and_writes_atomically(tmp_path: Path) -> None:
    prod, stage = baseline_key("prod", "prod", "prometheus"), baseline_key("", "stage", "local")
    save_baseline(tmp_path, prod, kept_at(T0, 200.0))
    save_baseline(tmp_path, stage, kept_at(T0, 90.0))
    assert load_baseline(tmp_path, prod, T0).kept == kept_at(T0, 200.0)
    assert load_baseline(tmp_path, stage, T0).kept == kept_at(T0, 90.0)
    assert load_baseline(tmp_path, baseline_key("prod", "stage", "prometheus"), T0) == Found()
    assert [p.name for p in tmp_path.iterdir()] == [STORE]  # no temporary file left over


def test_the_store_bounds_age_and_reports_what_it_cannot_read(tmp_path: Path) -> None:
    key = baseline_key("", "local", "local")
    save_baseline(tmp_path, key, kept_at(T0))
    assert load_baseline(tmp_path, key, T0 + timedelta(hours=24)).kept is not None
    stale = load_baseline(tmp_path, key, T0 + timedelta(hours=24, seconds=1))
    assert stale.kept is None and stale.stale == kept_at(T0)

    other = baseline_key("", "stage", "local")
    doc = json.loads((tmp_path / STORE).read_text())
    doc["baselines"][other] = {"baseline": {"at": "2026-03-16T09:00:00", "p999_ms": {}}}
    (tmp_path / STORE).write_text(json.dumps(doc))
    naive = load_baseline(tmp_path, other, T0)  # a time without its zone is not ours
    assert naive.kept is None and "baseline.at" in naive.problem
    assert load_baseline(tmp_path, key, T0).kept == kept_at(T0)  # the others still load

    (tmp_path / STORE).unlink()
    (tmp_path / STORE).mkdir()  # unreadable: a directory where the file should be
    assert "IsADirectoryError" in load_baseline(tmp_path, key, T0).problem
    with pytest.raises(OSError):
        save_baseline(tmp_path, key, kept_at(T0))


async def test_the_restored_message_names_the_baseline_key_as_remapped(data_dir: Path) -> None:
    """With `b` remapped in [keys], the messages say the key that marks a baseline now."""
    await mark_baseline_at(FrozenClock(T0 + timedelta(minutes=42)))
    clock = FrozenClock(T0 + timedelta(hours=2))
    sources = local_sources(clock)
    app = WatchfloorApp(sources, clock=clock, keymap={"latency.baseline": "m"})
    scripted(sources)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        said = " ".join(messages(app))
        assert "(press m to mark a new one)" in said, said


async def test_marking_again_keeps_first_seen_from_the_game_days_start(data_dir: Path) -> None:
    """Restarted, then `b` again (a new baseline after a fix): "first seen" became the
    restart's first p99.9 (250 ms), in the report and in the file for the next restart.
    It stays the game day's first (180 ms at 09:42Z), as the kept one was."""
    await mark_baseline_at(FrozenClock(T0 + timedelta(minutes=42)))
    for restart in (2, 3):  # marked again after one restart, then restarted once more
        clock = FrozenClock(T0 + timedelta(hours=restart))
        app, src = new_app(clock)
        async with app.run_test(size=SIZE) as pilot:
            kept = {DOCS: 200.0, SEARCH: 320.0} if restart == 2 else {DOCS: 250.0, SEARCH: 330.0}
            assert app.baselines == kept
            await feed(pilot, app, src, lat(clock.now(), 250.0, 330.0))
            if restart == 2:
                await pilot.press("b")
                await pilot.pause()
                assert app.baselines == {DOCS: 250.0, SEARCH: 330.0}
            first = app.first_seen()
            assert first is not None and first.p999_ms == {DOCS: 180.0, SEARCH: 300.0}
            assert first.at == T0 + timedelta(minutes=42)


async def test_marking_again_keeps_first_seen_in_the_report(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(alerts.HOLD, AlertKind.P999_REGRESSION, timedelta(0))
    await mark_baseline_at(FrozenClock(T0 + timedelta(minutes=42)))
    clock = FrozenClock(T0 + timedelta(hours=2))
    app, src = new_app(clock)
    async with app.run_test(size=SIZE) as pilot:
        await feed(pilot, app, src, lat(clock.now(), 250.0, 330.0))
        await pilot.press("b")
        await pilot.pause()
        await feed(pilot, app, src, lat(clock.now(), 275.0, 330.0))
        await pilot.press("x")
        await pilot.pause()
    (md,) = await asyncio.to_thread(reports, data_dir)
    # baseline re-marked at 250 ms; first seen still the game day's first, 180 ms
    assert "| GET /docs/:id | 400 ms | 250 ms | 180 ms | 275 ms | +10.0% |" in md
