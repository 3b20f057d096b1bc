"""`b` while a fault window is injecting: its latency would become the baseline, and the
one kept for a restart (the pre-drill one) would be gone. The first `b` says so; a second
within 5 s marks it anyway. So does `b` just after a window ended, while its latency is
still inside the 60 s p99.9 window."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from backends.faults_core import NEVER_STARTED, ended_at
from backends.models import (
    Actor,
    FaultRequest,
    FaultSpec,
    FaultsSnapshot,
    FaultWindow,
    WindowState,
)
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.test_read_only import toasts
from tui.app import WatchfloorApp
from tui.baseline_words import during_words, still_in_window
from tui.screens.halt import HaltScreen


async def test_b_during_a_fault_asks_again_before_marking() -> None:
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("b")  # no fault: marked at once
        await wait_for(pilot, lambda: bool(app.baselines), what="the first baseline")
        before = dict(app.baselines)
        spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=900, delay_percent=20)
        await app.sources["faults"].schedule(
            FaultRequest(spec=spec, reason="latency drill now"), Actor(name="erin")
        )
        await app.refresh_now("faults")
        await pilot.press("b")
        await wait_for(
            pilot, lambda: any("stage/docs-api" in t for t in toasts(app)), what="the warning"
        )

        assert app.baselines == before and marks(app) == 1  # nothing replaced yet
        await pilot.press("b")  # again, within 5 s: marked anyway
        await wait_for(pilot, lambda: marks(app) == 2, what="marked")


def exported(tmp: Path) -> str:
    """The report's lines saying when the baseline was marked."""
    (report,) = tmp.glob("gameday-*.md")
    return "\n".join(x for x in report.read_text().splitlines() if "Baseline marked" in x)


async def test_a_baseline_marked_anyway_during_a_fault_says_so_in_the_toast_and_report(
    tmp_path: Path,
) -> None:
    """Marked anyway (b twice) while a window injected: the toast read "Baseline marked:
    GET /docs/:id 1012 ms" and the report "Baseline marked at 09:00:05Z.", as any other,
    and after a restart nothing told it was a faulted one."""
    app = local_app()
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=900, delay_percent=20)
        w = await app.sources["faults"].schedule(
            FaultRequest(spec=spec, reason="latency drill now"), Actor(name="erin")
        )
        await app.refresh_now("faults")
        await pilot.press("b")
        await wait_for(pilot, lambda: any("again" in t for t in toasts(app)), what="warning")
        await pilot.press("b")  # marked anyway
        during = f"during fault window {w.id} on stage/docs-api"
        said = f"Baseline marked {during}: "
        await wait_for(pilot, lambda: any(t.startswith(said) for t in toasts(app)), what="toast")
        assert any(e.text.startswith(f"baseline marked {during}: ") for e in app.timeline.events)
        await pilot.press("x")
        await wait_for(pilot, lambda: any(tmp_path.glob("gameday-*.md")), what="the report")
        assert f", {during}." in exported(tmp_path), exported(tmp_path)
    restarted = local_app()  # the kept baseline says it too
    restarted.screenshot_dir = tmp_path / "again"
    async with restarted.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(restarted.baselines), what="restored")
        await pilot.press("x")
        await wait_for(
            pilot, lambda: any(restarted.screenshot_dir.glob("gameday-*.md")), what="report"
        )
        assert f", {during}." in exported(restarted.screenshot_dir)
        assert any(f"(marked {during}) restored" in t for t in toasts(restarted)), toasts(restarted)


def marks(app: WatchfloorApp) -> int:
    return sum(e.text.startswith("baseline marked") for e in app.timeline.events)


async def test_b_just_after_halt_all_asks_again_while_the_fault_is_in_the_p999_window() -> None:
    """Alice pressed b 16 s after HALT ALL: "Baseline marked: GET /docs/:id 2711 ms" (155 ms
    before the drill), with no warning; the regression alert could not fire for the rest of
    the game day, and the baseline was kept for a restart."""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.press("b")  # before the drill
        await wait_for(pilot, lambda: bool(app.baselines), what="the first baseline")
        before = dict(app.baselines)
        spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=900, delay_percent=20)
        await app.sources["faults"].schedule(
            FaultRequest(spec=spec, reason="latency drill now"), Actor(name="erin")
        )

        def faults() -> FaultsSnapshot:
            snap = app.snapshots["faults"]
            assert isinstance(snap, FaultsSnapshot)
            return snap

        await wait_for(pilot, lambda: any(w.applied for w in faults().windows), what="injecting")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="halt modal")
        await pilot.press(*"drill over", "enter", *"HALT", "enter")
        now = app.clock.now
        await wait_for(
            pilot,
            lambda: all(w.state(now()) is WindowState.ENDED for w in faults().windows),
            what="the window ended",
        )
        (window,) = faults().windows
        await pilot.press("b")
        leaves = ended_at(window) + timedelta(seconds=60)
        said = f"its latency leaves the 60s window at {leaves:%H:%M:%S}Z"
        await wait_for(pilot, lambda: any(said in t for t in toasts(app)), what="the warning")
        (warning,) = [t for t in toasts(app) if said in t]
        assert f"p99.9 still includes fault window {window.id} on stage/docs-api, ended " in warning
        assert "Press b again to mark it anyway" in warning
        assert app.baselines == before and marks(app) == 1  # nothing replaced yet
        await pilot.press("b")  # again, within 5 s: marked anyway
        await wait_for(pilot, lambda: marks(app) == 2, what="marked")
        after = f"Baseline marked just after fault window {window.id} on stage/docs-api: "
        assert any(t.startswith(after) for t in toasts(app)), toasts(app)


async def test_b_after_two_windows_on_one_host_names_each_of_them() -> None:
    """It read "p99.9 still includes fault windows stage/docs-api, stage/docs-api": which?"""
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=900, delay_percent=20)
        one, two = [
            await app.sources["faults"].schedule(
                FaultRequest(spec=spec, reason=f"latency drill {n} now"), Actor(name="erin")
            )
            for n in (1, 2)
        ]

        def windows() -> tuple[FaultWindow, ...]:
            snap = app.snapshots["faults"]
            return snap.windows if isinstance(snap, FaultsSnapshot) else ()

        await wait_for(pilot, lambda: len(windows()) == 2, what="both listed")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="halt modal")
        await pilot.press(*"drill over", "enter", *"HALT", "enter")
        now = app.clock.now
        await wait_for(
            pilot,
            lambda: all(w.state(now()) is WindowState.ENDED for w in windows()),
            what="both ended",
        )
        await pilot.press("b")
        said = "p99.9 still includes fault windows "
        await wait_for(pilot, lambda: any(said in t for t in toasts(app)), what="the warning")
        (warning,) = [t for t in toasts(app) if said in t]
        assert (
            f"{said}{one.id} on stage/docs-api, {two.id} on stage/docs-api, last ended " in warning
        ), warning


def test_still_in_window_is_an_ended_window_that_injected_until_its_latency_leaves() -> None:
    spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=900, delay_percent=20)

    def window(name: str, start: float, end: float, **more: object) -> FaultWindow:
        at = {"starts_at": T0 + timedelta(seconds=start), "ends_at": T0 + timedelta(minutes=10)}
        return FaultWindow.model_validate(
            {"id": name, "spec": spec, "owner": "erin", "reason": "latency drill now", **at}
            | {"ended_early_at": T0 + timedelta(seconds=end), **more}
        )

    halted = window("halted", 0, 100, end_reason="HALT ALL: drill over", started_at=T0)
    cancelled = window("cancelled", 200, 100, end_reason="HALT ALL: drill over")
    never = window("never", 0, 100, end_reason=NEVER_STARTED)
    running = window("running", 0, 1000, applied=True)
    every = [halted, cancelled, never, running]
    at = T0 + timedelta(seconds=159)
    assert [w.id for w in still_in_window(every, at, 60.0)] == ["halted"]
    assert still_in_window(every, at + timedelta(seconds=1), 60.0) == []
    assert still_in_window(every, at + timedelta(seconds=1), 300.0) == [halted]


def test_during_words_names_the_windows_a_baseline_includes() -> None:
    spec = FaultSpec(target_host="docs-api", namespace="stage", delay_ms=900, delay_percent=20)
    windows = [
        FaultWindow(id=f"w{i}", spec=spec, owner="erin", reason="drill", starts_at=T0, ends_at=T0)
        for i in range(5)
    ]
    assert during_words([], []) == ""
    assert during_words(windows[:1], windows[1:]) == "during fault window w0 on stage/docs-api"
    assert during_words([], windows) == (
        "just after fault windows w0 on stage/docs-api, w1 on stage/docs-api,"
        " w2 on stage/docs-api and 2 more"
    )
