"""The release pane driven like a user: on the github backend against the local GitHub
server (stage states checked against the payloads it served), `n` for the notes and `R`
for the rollback rehearsal; and the same keys on the local simulation."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from backends.clock import FrozenClock
from backends.models import HealthState, ReleaseSnapshot, StageStatus
from tests.conftest import T0
from tests.fake_github import FakeGitHub
from tests.github_helpers import TOKEN, github_sources
from tests.github_payloads import REHEARSAL, STEPS, TRAIN
from tests.helpers import SIZE, local_app, local_sources, wait_for
from tui.app import WatchfloorApp
from tui.panes.line import Line
from tui.screens.notes import NotesScreen
from tui.screens.rehearsal import RehearsalScreen

# How a step's (status, conclusion) must look in the pane; independent of the adapter.
GLYPH = {
    ("completed", "success"): "✔",
    ("completed", "failure"): "✖",
    ("completed", "skipped"): "-",
    ("in_progress", None): "◷",
    ("queued", None): "·",
}
# The pane's stage names for the workflow's step names (the defaults in the options).
STAGE_OF = dict(
    zip(
        STEPS,
        ("verify digests & provenance", "generate notes", "attach SBOM", "publish"),
        strict=True,
    )
)


def text_of(app: WatchfloorApp, selector: str) -> str:
    return str(app.pane("release").query_one(selector, Line).render())


async def audit_trail(pilot: Pilot[None], audit: Any) -> list[tuple[str, str]]:
    """The rollback-rehearsal audit records (phase, outcome), once both are written."""
    found: list[tuple[str, str]] = []
    for _ in range(100):  # bounded: 5 s
        records = await audit.records(limit=50)
        found = [(r.phase, r.outcome) for r in records if r.action == "rollback-rehearsal"]
        if len(found) >= 2:
            break
        await pilot.pause(0.05)
    return found


def release_ok(app: WatchfloorApp) -> bool:
    snap = app.snapshots["release"]
    return isinstance(snap, ReleaseSnapshot) and snap.current is not None


async def test_pane_shows_the_stages_github_reports(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = WatchfloorApp(github_sources(gh, monkeypatch, poll_s=0.2))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: release_ok(app), what="the release pane to fill")
        current = gh.data["runs"][TRAIN][0]
        await wait_for(
            pilot,
            lambda: text_of(app, "#release-stages").startswith(f"#{current['run_number']}"),
            what="the pane to show the current run",
        )
        row = text_of(app, "#release-stages")
        assert row.startswith(f"#{current['run_number']} ◷ running")
        steps = {s["name"]: s for s in gh.data["jobs"][current["id"]][0]["steps"]}
        for step_name, stage in STAGE_OF.items():
            s = steps[step_name]
            assert f"{GLYPH[s['status'], s['conclusion']]} {stage}" in row, (stage, row)
        assert "✔ verify digests & provenance 30s → ◷ generate notes" in row
        # the cuts: the one running (Enter opens it too), then the last ones, with the
        # failed one's failing stage
        table = app.pane("release").table()
        finished = [r for r in gh.data["runs"][TRAIN] if r["status"] == "completed"][:5]
        got = [table.get_row_at(i) for i in range(table.row_count)]
        assert len(got) == 1 + len(finished)
        assert (got[0][0], str(got[0][1])) == (f"#{current['run_number']}", "◷ running")
        failed_run = gh.data["runs"][TRAIN][1]
        failed_step = next(
            s["name"]
            for s in gh.data["jobs"][failed_run["id"]][0]["steps"]
            if s["conclusion"] == "failure"
        )
        failed_row = next(r for r in got if "failure" in str(r[1]))
        assert failed_row[4] == STAGE_OF[failed_step]
        assert "release train failure" in text_of(app, "#release-alert")
        # the rehearsal's last result and the API budget
        status = text_of(app, "#release-status")
        assert "rollback rehearsal: ✔ success" in status and "ago" in status
        rl = app.snapshots["release"].rate_limit  # type: ignore[union-attr]
        assert rl is not None and rl.remaining is not None and rl.remaining < gh.limit
        assert f"API budget {rl.remaining}/{gh.limit}" in status
        assert TOKEN not in app.export_screenshot()
        # the token is refused from now on: the pane says so, and still never shows it
        gh.token = "ghp_rotatedElsewhere"
        await wait_for(
            pilot,
            lambda: "401" in str(app.pane("release").border_subtitle),
            what="the 401 to show on the pane",
        )
        assert app.snapshots["release"].health.state is HealthState.ERROR  # type: ignore[union-attr]
        assert TOKEN not in app.export_screenshot()


async def test_notes_and_rehearsal_keys_on_github(
    gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = github_sources(gh, monkeypatch, poll_s=0.5)
    app = WatchfloorApp(sources)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: release_ok(app), what="release data")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen)
        assert gh.data["release"]["body"].strip() in app.screen.markdown
        for a in gh.data["release"]["assets"]:
            assert a["name"] in app.screen.markdown and a["digest"] in app.screen.markdown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, NotesScreen)

        await pilot.press("R")  # shift+r
        await pilot.pause()
        assert isinstance(app.screen, RehearsalScreen)
        await pilot.press("escape")  # cancelled: nothing is sent
        await pilot.pause()
        assert not isinstance(app.screen, RehearsalScreen) and gh.requests("POST") == []

        await pilot.press("R")
        await pilot.pause()
        await pilot.press(*"short", "enter", *"ROLLBACK", "enter")  # too short: refused
        await pilot.pause()
        assert isinstance(app.screen, RehearsalScreen) and gh.requests("POST") == []
        assert "at least 10" in str(app.screen.query_one("#rehearsal-error", Static).render())
        assert app.screen.focused is app.screen.query_one("#reason", Input)  # back to it
        await pilot.press(*" rollback drill before m47", "enter", "enter")
        await wait_for(pilot, lambda: bool(gh.requests("POST")), what="the dispatch")
        assert [p.path.rsplit("/", 2)[-2] for p in gh.requests("POST")] == [REHEARSAL]
        assert await audit_trail(pilot, sources["audit"]) == [
            ("request", ""),
            ("outcome", "applied"),
        ]
        await wait_for(
            pilot,
            lambda: app.snapshots["release"].rehearsal.status is StageStatus.PENDING,
            what="the queued rehearsal to show",
        )


async def test_notes_and_rehearsal_keys_on_the_local_simulation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A frozen clock at a quiet moment: no automatic rehearsal is running (one runs after
    # every green cut, and a second one is refused while it does).
    # Polls a minute apart: the pane shows the triggered rehearsal at once, not at the next.
    monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "60")
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: release_ok(app), what="release data")
        snap = app.snapshots["release"]
        assert isinstance(snap, ReleaseSnapshot) and snap.release is not None
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen)
        assert snap.release.tag in app.screen.markdown and "### Digests" in app.screen.markdown
        await pilot.press("escape")
        assert snap.rehearsal is not None and snap.rehearsal.status is StageStatus.SUCCESS
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, RehearsalScreen)
        await pilot.press(*"rehearse the rollback of m3 on stage", "enter", *"ROLLBACK", "enter")
        assert await audit_trail(pilot, app.sources["audit"]) == [
            ("request", ""),
            ("outcome", "applied"),
        ]
        await wait_for(
            pilot,
            lambda: app.snapshots["release"].rehearsal.run_id.startswith("rehearsal-manual"),  # type: ignore[union-attr]
            3,
            what="the manual rehearsal",
        )


async def test_read_only_refuses_the_rehearsal_but_shows_the_notes() -> None:
    app = WatchfloorApp(local_sources(FrozenClock(T0)), clock=FrozenClock(T0), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: release_ok(app), what="release data")
        await pilot.press("R")
        await pilot.pause()
        assert not isinstance(app.screen, RehearsalScreen)
        await app.action_rehearse()  # as the command palette would (call_later awaits it)
        await pilot.pause()
        assert not isinstance(app.screen, RehearsalScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen)
    records = await app.sources["audit"].records(limit=50)
    assert not [r for r in records if r.action == "rollback-rehearsal"]
