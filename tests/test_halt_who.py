"""HALT ALL names who ran it wherever the windows it ended are read. `watchfloor faults halt`
stored "HALT ALL: <reason>" with no actor, so every dashboard's timeline and report said
"ended early, HALT ALL: pager fired" where `e` said "ended by alice: …"; "HALT ALL by
alice" was only in the timeline of the dashboard that ran it."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from backends.models import Actor, FaultRequest, FaultSpec, FaultsSnapshot, WindowState
from backends.timeline import Timeline, window_key
from tests.conftest import watchfloor_cmd
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui.app import WatchfloorApp
from tui.screens.halt import HaltScreen
from tui.screens.timeline import TimelineScreen

REASON = "pager fired: checkout errors"
DRILL = FaultRequest(
    spec=FaultSpec(target_host="docs-api", namespace="stage", abort_percent=1),
    reason="game day drill on docs",
)


def cli(actor: str, *argv: str) -> str:
    """`watchfloor ...` run by `actor` on the test's data dir."""
    env = {**os.environ, "WATCHFLOOR_UI__ACTOR": actor}
    proc = subprocess.run(
        [*watchfloor_cmd(), *argv], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def report_text(folder: Path) -> str:
    return next(folder.glob("gameday-*.md")).read_text(encoding="utf-8")


def state_of(app: WatchfloorApp, wid: str) -> WindowState | None:
    snap = app.snapshots.get("faults")
    windows = snap.windows if isinstance(snap, FaultsSnapshot) else ()
    return next((w.state(app.clock.now()) for w in windows if w.id == wid), None)


@pytest.mark.slow
async def test_a_halt_from_the_command_line_names_carol_in_the_dashboard_and_its_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "1")
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "alice")
    app = local_app()
    app.screenshot_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        w = await app.sources["faults"].schedule(DRILL, Actor(name="erin"))
        await wait_for(pilot, lambda: state_of(app, w.id) is WindowState.ACTIVE, what="active")

        await asyncio.to_thread(cli, "carol", "faults", "halt", "--reason", REASON)
        await wait_for(pilot, lambda: state_of(app, w.id) is WindowState.ENDED, what="halted")

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen), what="timeline")
        assert isinstance(app.screen, TimelineScreen)
        (ended,) = [e.text for e in app.screen.events if e.key == window_key(w.id, "end")]
        assert ended.endswith(f"; ended early, HALT ALL by carol: {REASON}"), ended
        await pilot.press("escape")
        await pilot.press("x")
        await wait_for(pilot, lambda: any(tmp_path.glob("gameday-*.md")), what="the report")
    report = report_text(tmp_path)
    assert f": HALT ALL by carol: {REASON}\n" in report  # the window's state in its section
    assert f"ended early, HALT ALL by carol: {REASON} |" in report  # the timeline's row
    (listed,) = [x for x in cli("bob", "faults", "list").splitlines() if x.startswith(w.id)]
    assert listed.endswith(f"— HALT ALL by carol: {REASON}"), listed


async def test_a_halt_in_alices_dashboard_names_her_in_bobs_and_once_in_hers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "1")
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "bob")
    bob = local_sources()  # bob's dashboard on the same data dir: its timeline as it sees
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", "alice")
    bobs = Timeline()
    app = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        w = await app.sources["faults"].schedule(DRILL, Actor(name="erin"))
        await wait_for(pilot, lambda: state_of(app, w.id) is WindowState.ACTIVE, what="active")
        bobs.observe(await bob["faults"].snapshot(), app.clock.now())

        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, HaltScreen), what="halt modal")
        await pilot.press(*"pager", "enter", *"HALT", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, HaltScreen), what="halt done")
        await wait_for(pilot, lambda: state_of(app, w.id) is WindowState.ENDED, what="halted")
        bobs.observe(await bob["faults"].snapshot(), app.clock.now())

        (seen,) = [e.text for e in bobs.events if e.key == window_key(w.id, "end")]
        assert seen.endswith("; ended early, HALT ALL by alice: pager"), seen
        # hers: the halt once, and the window it ended saying by whom, each once
        hers = [e.text for e in app.timeline.newest_first() if "HALT ALL" in e.text]
        assert hers == [
            "HALT ALL by alice: 1 window(s) ended; pager",
            f"fault window {w.id} on stage/docs-api ended (owner erin: {DRILL.reason});"
            " ended early, HALT ALL by alice: pager",
        ]
    await bob.aclose()
