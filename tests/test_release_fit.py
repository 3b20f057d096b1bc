"""The release pane as a release captain reads it at 80x24 and 120x36, on the local
simulation with a frozen clock (at T0 cut m4 has failed and m3 is the latest release; m5
starts 150 s later and publishes at about 290 s).

Before: at 80x24 the last cuts turned from one line into a one-row table when the failure
alert went away, showing m4 or m3 with the newest cut hidden above it (Down in the one-line
view had moved a cursor nobody could see); the stage line was cut before the running stage
(at 120x36 before `publish`); the notes hint was cut inside the tag; and Enter opened only
finished cuts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from backends.clock import FrozenClock
from backends.models import ReleaseRun, ReleaseSnapshot, StageStatus
from tests.conftest import T0
from tests.helpers import local_app, wait_for
from tests.test_details_pilot import shown
from tests.test_small_terminal import painted
from tui.app import WatchfloorApp
from tui.screens.release_details import ReleaseDetailsScreen

M5 = "v2026.03.16-m5"


def current(app: WatchfloorApp) -> ReleaseRun | None:
    snap = app.snapshots.get("release")
    return snap.current if isinstance(snap, ReleaseSnapshot) else None


def running_stage(app: WatchfloorApp) -> str:
    run = current(app)
    stages = run.stages if run is not None else ()
    return next((s.name for s in stages if s.status is StageStatus.RUNNING), "")


def lines(app: WatchfloorApp) -> list[str]:
    """The release pane's lines inside its border, as painted."""
    return [line.rstrip() for line in painted(app, app.pane("release"))]


def fresher(app: WatchfloorApp, seen: object) -> Callable[[], bool]:
    return lambda: app.snapshots.get("release") is not seen


async def advance_until(
    pilot: Pilot[None], app: WatchfloorApp, clock: FrozenClock, cond: Callable[[], bool], what: str
) -> None:
    """Move the simulation's clock on 5 s at a time (a poll each) until `cond()` holds."""
    for _ in range(120):
        if cond():
            await pilot.pause(0.3)  # the pane shows that poll
            return
        clock.advance(5)
        await wait_for(pilot, fresher(app, app.snapshots.get("release")), what="a poll")
    raise AssertionError(f"the simulation never reached {what}")


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "0.1")


async def test_at_80x24_the_last_cuts_stay_one_line_newest_first_with_no_hidden_cursor() -> None:
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.pause()
        assert any(line.startswith("last cuts: v2026.03.16-m4 ✖") for line in lines(app))
        table = app.pane("release").table()
        await pilot.press("5", "down", "down")  # the one line has no cursor to move
        assert table.cursor_row == 0
        await advance_until(
            pilot,
            app,
            clock,
            lambda: (
                (run := current(app)) is not None
                and run.version == M5
                and run.status is StageStatus.SUCCESS
            ),
            "m5 published",
        )
        await wait_for(pilot, lambda: not app.pane("release").query_one("#release-alert").display)
        shown_lines = lines(app)
        assert not [line for line in shown_lines if line.split()[:2] == ["version", "status"]]
        summary = [i for i, line in enumerate(shown_lines) if line.startswith("last cuts: ")]
        assert summary, shown_lines
        assert shown_lines[summary[0]].startswith(f"last cuts: {M5} ✔, m4 ✖, m3 ✔"), shown_lines
        assert not "".join(shown_lines[summary[0] + 1 :]).strip(), shown_lines  # no stray row
        await pilot.press("enter")  # the newest cut, the first in the line
        await wait_for(pilot, lambda: isinstance(app.screen, ReleaseDetailsScreen), what="details")
        assert M5 in shown(app.screen)


async def test_the_stage_line_shows_the_running_stage_and_enter_opens_the_running_cut() -> None:
    clock = FrozenClock(T0)
    app = local_app(clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await advance_until(
            pilot, app, clock, lambda: running_stage(app) == "generate notes", "generate notes"
        )
        await wait_for(pilot, lambda: "generate notes" in lines(app)[0], what="the pane to show it")
        stage_line = lines(app)[0]
        assert stage_line.startswith(f"{M5} ◷ running"), stage_line
        assert "✔ 2 stages" in stage_line and "◷ generate notes" in stage_line, stage_line
        assert stage_line.endswith("2 to go"), stage_line
        await pilot.resize_terminal(120, 36)
        await pilot.pause(0.3)
        stage_line = lines(app)[0]
        assert "◷ generate notes" in stage_line and stage_line.endswith("· publish"), stage_line
        await pilot.press("5", "enter")  # the running cut is the first of the cuts
        await wait_for(pilot, lambda: isinstance(app.screen, ReleaseDetailsScreen), what="details")
        text = shown(app.screen)
        assert M5 in text and "not yet, running" in text and "◷ generate notes" in text


async def test_at_80x24_the_notes_hint_names_the_whole_tag() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.pause()
        status = next(line for line in lines(app) if line.startswith("rollback rehearsal:"))
        assert status.endswith("n: notes of v2026.03.16-m3"), status


async def test_at_80x24_the_artefacts_line_names_every_artefact_and_its_state() -> None:
    """It read 'artefacts: ✔ digests verified · ∅ notes missing · ✖ provenance failed ·
    ∅ s…': the SBOM cut. Where the words do not fit they go, least telling first:
    "verified", then "missing" (the ∅ says it), "unverified" (?), "failed" (✖) last."""
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        await pilot.pause()
        arts = next(line for line in lines(app) if line.startswith("artefacts:"))
        assert "…" not in arts, arts
        assert arts == "artefacts: ✔ digests · ∅ notes · ✖ provenance failed · ∅ sbom", arts
        await pilot.resize_terminal(120, 36)
        await pilot.pause(0.3)
        arts = next(line for line in lines(app) if line.startswith("artefacts:"))
        assert arts.endswith("✖ provenance failed · ∅ sbom missing"), arts
        assert "✔ digests verified" in arts, arts
