"""The dashboard driven like a user: fixed size, real local backends, keys pressed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual._compositor import Compositor

from backends.alerts import derive
from backends.clock import SystemClock
from backends.models import HealthState, LatencySnapshot
from backends.polling import poll
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui.app import PANE_CLASSES, WatchfloorApp
from tui.panes.alerts import AlertStrip
from tui.panes.grants import GrantsPane
from tui.screens.help import HelpScreen


def rows(app: WatchfloorApp, cap: str) -> int:
    pane = app.pane(cap)
    if isinstance(pane, GrantsPane):  # a list of its own, not a table
        return len(pane.grant_list().grants)
    return pane.table().row_count


async def test_all_five_panes_fill_from_the_simulator() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="every pane to get data")
        await pilot.pause()
        assert "local simulation" in app.sub_title
        assert set(PANE_CLASSES) == {"access", "grants", "release", "latency", "faults"}
        for cap in PANE_CLASSES:
            snap = app.snapshots[cap]
            assert snap is not None and snap.health.state is HealthState.OK, cap
            assert "ok" in str(app.pane(cap).border_subtitle), cap
        latency = app.snapshots["latency"]
        assert rows(app, "latency") == len(latency.routes) == 2  # type: ignore[union-attr]
        assert rows(app, "access") >= 10
        assert rows(app, "grants") == 3  # the demo grants seeded into an empty store
        assert rows(app, "release") >= 1
        assert rows(app, "faults") == 0 and app.pane("faults").has_class("-empty")
        # the table shows what the snapshot says, cell for cell
        table = app.pane("latency").table()
        routes = [r.route for r in latency.routes]  # type: ignore[union-attr]
        assert [table.get_row_at(i)[0] for i in range(2)] == routes


async def test_first_frame_is_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sources are primed before the panes exist, so the first frame painted already
    has every pane's data: no frame of empty panes, no second layout of the whole tree."""
    frames: list[str] = []
    render_update = Compositor.render_update

    def spy(self: Compositor, *args: Any, **kwargs: Any) -> Any:
        if not frames:  # what the screen holds when it is first painted
            frames.append("\n".join(strip.text for strip in self.render_strips()))
        return render_update(self, *args, **kwargs)

    monkeypatch.setattr(Compositor, "render_update", spy)
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(frames), what="the first frame")
        first = frames[0]
        assert "waiting for data" not in first
        assert first.count("● ok") == 5, first  # every pane's health, none "waiting"
        for route in ("GET /docs/:id", "GET /search"):
            assert first.count(route) == 2, route  # its table row and its plot's title
        assert "▇" in first or "█" in first  # the plot's bars, drawn at the first size
        assert "tenant=" in first  # the access table's rows
        assert "alice@example.com" in first  # a demo grant's row
        assert "expires in" in first  # the grants header, fitted to the width


async def test_help_lists_the_focused_panes_keys_after_the_apps() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("4", "question_mark")  # the grants pane, then help
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        assert isinstance(app.screen, HelpScreen)
        sections = [section for section, _, _, _ in app.screen.rows]
        assert ("This pane", "r", "Revoke grant", "grants.revoke") in app.screen.rows
        assert sections.index("This pane") > sections.index("Watchfloor")
        assert sections.index("Moving around") > sections.index("This pane")


async def test_keys_help_focus_baseline_quit() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows
        assert rows[0] == ("Watchfloor", "q", "Quit", "app.quit")
        assert rows[2][1:] == ("H", "HALT ALL faults", "faults.halt")
        assert [r[0] for r in rows] == sorted(
            (r[0] for r in rows), key=("Watchfloor", "This pane", "Moving around").index
        )
        assert ("Moving around", "1", "Go to Latency", "focus.latency") in rows
        assert any(desc == "Mark baseline" for _, _, desc, _ in rows)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)

        await pilot.press("4")
        assert app.focused is app.pane("grants").focus_target()
        await pilot.press("1")
        assert app.focused is app.pane("latency").table()

        await pilot.press("b")
        await pilot.pause()
        latency = app.snapshots["latency"]
        assert latency is not None
        assert app.baselines == {r.route: r.p999_ms for r in latency.routes}
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_screenshot_key_writes_svg(tmp_path: Path) -> None:
    app = local_app()
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("ctrl+s")
        await pilot.pause()
    check_one_svg(tmp_path)


def check_one_svg(where: Path) -> None:
    svgs = list(where.glob("watchfloor-*.svg"))
    assert len(svgs) == 1
    body = svgs[0].read_text()
    assert body.startswith("<svg") and "Release" in body


async def test_alert_strip_shows_derived_alerts() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        app.flush()
        await pilot.pause()
        strip = app.query_one(AlertStrip)
        expected = derive(app.snapshots, app.clock.now(), app.baselines)
        assert {a.key for a in strip.alerts} == {a.key for a in expected}
        shown = str(strip.render())
        for alert in strip.alerts[:3]:
            assert alert.kind.value in shown
        if not strip.alerts:
            assert "no alerts" in shown


class FlakyLatency:
    """Gives one good snapshot, then fails on every poll."""

    name = "flaky"

    def __init__(self, good: LatencySnapshot) -> None:
        self.good = good
        self.polls = 0

    async def _fetch(self) -> LatencySnapshot:
        self.polls += 1
        if self.polls == 1:
            return self.good
        raise ConnectionError("connection refused (prometheus:9090)")

    def watch(self) -> AsyncIterator[LatencySnapshot]:
        return poll(
            LatencySnapshot, self._fetch, source=self.name, interval_s=0.05, clock=SystemClock()
        )

    async def aclose(self) -> None:
        return None


async def test_failing_source_keeps_last_data_and_says_why() -> None:
    sources = local_sources()
    good = await sources["latency"].snapshot()
    flaky = FlakyLatency(good.model_copy(update={"source": "flaky"}))
    sources.by_capability["latency"] = flaky
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot, lambda: flaky.polls >= 3 and app.all_panes_filled(), what="a few failed polls"
        )
        app.flush()  # show what arrived now rather than at the next tick
        await pilot.pause()
        snap = app.snapshots["latency"]
        assert snap is not None and snap.health.state is HealthState.ERROR
        assert rows(app, "latency") == len(good.routes)  # last data kept on screen
        subtitle = str(app.pane("latency").border_subtitle)
        assert "✖ connection refused" in subtitle  # the cause first
        assert app.pane("latency").has_class("-error")
        assert app.snapshots["access"].health.state is HealthState.OK  # type: ignore[union-attr]
        assert any(a.key == "source:latency" for a in app.query_one(AlertStrip).alerts)
