"""Snapshot tests of the release pane fed from GitHub payloads (mapped by the github
backend's pure functions, at a fixed time), rate limited, and of the notes and
rehearsal-confirmation screens. Update with `--snapshot-update -k release_` and review."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from backends.github.artefacts import release_from_payload
from backends.github.options import DEFAULT_ARTEFACTS, DEFAULT_STAGES
from backends.github.runs import rehearsal_from_run, release_matches_run, run_from_payload
from backends.models import HealthState, RateLimit, ReleaseSnapshot, SourceHealth
from tests.conftest import T0
from tests.github_payloads import TRAIN, scenario
from tests.test_snapshots import CSS, PaneHarness
from tui.panes.release import ReleasePane
from tui.screens.notes import NotesScreen
from tui.screens.rehearsal import RehearsalScreen


def github_snapshot(sbom: bool = False) -> ReleaseSnapshot:
    """What the github source makes of the scenario's payloads, at T0."""
    data = scenario(T0, sbom=sbom)
    rel = data["release"]
    runs = [
        run_from_payload(
            r,
            data["jobs"][r["id"]],
            stages=DEFAULT_STAGES,
            artefacts=DEFAULT_ARTEFACTS if i == 0 or release_matches_run(rel, r) else None,
            release=rel,
        )
        for i, r in enumerate(data["runs"][TRAIN])
    ]
    return ReleaseSnapshot(
        observed_at=T0,
        health=SourceHealth(state=HealthState.OK, last_ok_at=T0, interval_s=15),
        source="github",
        current=runs[0],
        recent=tuple(r for r in runs if r.finished_at is not None)[:5],
        rehearsal=rehearsal_from_run(data["runs"]["rollback-rehearsal.yml"][0]),
        release=release_from_payload(rel),
        rate_limit=RateLimit(
            limit=5000, remaining=4987, reset_at=T0 + timedelta(minutes=42, seconds=7)
        ),
    )


def test_release_pane_github(snap_compare: Any) -> None:
    pane = ReleasePane(classes="pane")
    assert snap_compare(PaneHarness(pane, github_snapshot()), terminal_size=(150, 18))


def test_release_pane_github_rate_limited(snap_compare: Any) -> None:
    good = github_snapshot()
    limited = good.model_copy(
        update={
            "health": SourceHealth(
                state=HealthState.ERROR,
                last_ok_at=T0 - timedelta(seconds=40),
                last_error="GitHub rate limit: retrying in 42s (at 09:00:42Z)",
                interval_s=15,
            ),
            "rate_limit": RateLimit(
                limit=5000,
                remaining=0,
                reset_at=T0 + timedelta(seconds=42),
                retry_at=T0 + timedelta(seconds=42),
            ),
        }
    )
    pane = ReleasePane(classes="pane")
    assert snap_compare(PaneHarness(pane, limited), terminal_size=(150, 18))


class ScreenHarness(App[None]):
    CSS_PATH = str(CSS)

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.modal = screen

    def compose(self) -> ComposeResult:
        yield Static("dashboard behind the modal")

    def on_mount(self) -> None:
        self.push_screen(self.modal)


def test_release_notes_screen(snap_compare: Any) -> None:
    snap = github_snapshot(sbom=True)
    assert snap.release is not None
    assert snap_compare(ScreenHarness(NotesScreen(snap.release)), terminal_size=(110, 30))


def test_release_rehearsal_confirm_screen(snap_compare: Any) -> None:
    snap = github_snapshot()
    assert snap.release is not None
    target = "acme/platform rollback-rehearsal.yml @ main (workflow_dispatch)"
    screen = RehearsalScreen(snap.release.tag, target, "last: success (8001)")

    async def type_reason(pilot: Any) -> None:  # Enter moves on; the word is not in capitals
        await pilot.press(*"stage drill before m47", "enter", *"rollback", "enter")

    assert snap_compare(ScreenHarness(screen), terminal_size=(110, 24), run_before=type_reason)
