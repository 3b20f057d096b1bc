"""Enter on a cut in the release pane opens it whole: the table shows glyphs and the one
stage it failed at; the captain needs every stage with its time, each artefact's
verification in words, the run's times and its address. Before, Enter there did nothing."""

from __future__ import annotations

from backends.clock import FrozenClock
from backends.models import ReleaseSnapshot, StageStatus
from tests.conftest import T0
from tests.helpers import SIZE, local_app, wait_for
from tests.test_details_pilot import shown
from tui.screens.release_details import ReleaseDetailsScreen


async def test_enter_on_a_failed_cut_shows_its_stages_and_artefacts() -> None:
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        snap = app.snapshots["release"]
        assert isinstance(snap, ReleaseSnapshot)
        (failed, *_) = [r for r in snap.recent if r.status is StageStatus.FAILURE]
        row = [r.version for r in snap.recent].index(failed.version)
        await pilot.press("5", *["down"] * row)
        await pilot.pause()
        help_rows = {(desc, bid) for _, _, desc, bid in app._binding_rows()}
        assert ("Cut details", "release.details") in help_rows  # in `?`, with its id
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ReleaseDetailsScreen), what="the details"
        )
        text = shown(app.screen)
        assert failed.version in text and "✖ failure" in text
        assert failed.finished_at is not None
        assert f"{failed.started_at:%Y-%m-%d %H:%M:%S}Z" in text
        assert f"{failed.finished_at:%Y-%m-%d %H:%M:%S}Z" in text
        for st in failed.stages:  # every stage, in order, with what became of it
            assert st.name in text
        bad = next(st for st in failed.stages if st.status is StageStatus.FAILURE)
        assert f"✖ {bad.name}" in text and "failure" in text.split(bad.name, 1)[1]
        after = failed.stages[failed.stages.index(bad) + 1]
        assert f"{after.name} {after.status.value}" in text  # not just a "-" glyph
        for name, state in failed.artifacts.items():
            assert f"{name} {state.value}" in text
        assert failed.id in text and (not failed.url or failed.url in text)
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, what="closed")


async def test_each_stage_and_artefact_is_a_line_of_its_own_not_a_shown_newline() -> None:
    """The stages read '✔ verify digests  38s⏎✔ verify provenance  27s⏎◷ generate…': the
    dialog escapes every value from the data (a newline reads ⏎), the screen's own line
    breaks between stages included. The screen's lines are lines again; the data's
    newlines are still shown as ⏎ (tests/test_control_chars.py)."""
    from textual.geometry import Region
    from textual.widgets import Static

    app = local_app(FrozenClock(T0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        snap = app.snapshots["release"]
        assert isinstance(snap, ReleaseSnapshot) and snap.current is not None
        await pilot.press("5", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReleaseDetailsScreen))
        await pilot.pause()
        body = app.screen.query_one("#details-body", Static)
        crop = Region(0, 0, body.size.width, body.size.height)
        lines = [" ".join(s.text.split()) for s in body.render_lines(crop)]
        assert not [line for line in lines if "⏎" in line], lines
        run = snap.recent[0]
        names = [st.name for st in run.stages]
        first = next(i for i, line in enumerate(lines) if line.startswith("stages "))
        for i, name in enumerate(names):  # one a line, in order
            assert name in lines[first + i], (name, lines)
        arts = next(i for i, line in enumerate(lines) if line.startswith("artefacts "))
        for i, (name, state) in enumerate(sorted(run.artifacts.items())):
            assert lines[arts + i].endswith(f"{name} {state.value}"), lines
