"""Release train: the current cut's stages, artefact verification, rehearsal, last cuts."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from backends.models import ReleaseRun, ReleaseSnapshot, StageStatus, Verification
from tui.fmt import duration
from tui.panes.base import SourcePane
from tui.panes.table import sync_table

STAGE_GLYPH = {
    StageStatus.PENDING: ("·", "grey50"),
    StageStatus.RUNNING: ("◷", "bold yellow"),
    StageStatus.SUCCESS: ("✔", "green"),
    StageStatus.FAILURE: ("✖", "bold red"),
    StageStatus.SKIPPED: ("-", "grey50"),
}
VERIFY_STYLE = {
    Verification.MISSING: "grey50",
    Verification.UNVERIFIED: "yellow",
    Verification.VERIFIED: "green",
    Verification.FAILED: "bold red",
}


def stages_line(run: ReleaseRun, now: datetime) -> Text:
    text = Text.assemble((run.version, "bold"), "  ")
    for i, st in enumerate(run.stages):
        glyph, style = STAGE_GLYPH[st.status]
        if i:
            text.append(" → ", "grey50")
        text.append(f"{glyph} {st.name}", style)
        elapsed = st.elapsed(now)
        if elapsed is not None:
            text.append(f" {duration(elapsed)}", "grey62")
    return text


def artifacts_line(run: ReleaseRun) -> Text:
    text = Text("artefacts: ")
    for i, (name, state) in enumerate(sorted(run.artifacts.items())):
        if i:
            text.append(" · ")
        text.append(f"{name} {state.value}", VERIFY_STYLE[state])
    return text


class ReleasePane(SourcePane):
    TITLE = "Release train"

    def compose(self) -> ComposeResult:
        yield Static("", id="release-stages", classes="summary")
        yield Static("", id="release-artifacts", classes="summary")
        table: DataTable[str | Text] = DataTable(id="release-table", cursor_type="row")
        table.add_columns("version", "status", "finished", "took", "failed at")
        yield table

    def show(self, snap: ReleaseSnapshot) -> None:
        self.tick(snap, self.now)
        rows = {}
        for run in snap.recent:
            glyph, style = STAGE_GLYPH[run.status]
            failed = next((s.name for s in run.stages if s.status is StageStatus.FAILURE), "")
            took = duration(run.finished_at - run.started_at) if run.finished_at else ""
            rows[run.version] = (
                run.version,
                Text(f"{glyph} {run.status.value}", style),
                f"{run.finished_at:%H:%M:%S}Z" if run.finished_at else "",
                took,
                failed,
            )
        sync_table(self.table(), rows)

    def tick(self, snap: ReleaseSnapshot, now: datetime) -> None:
        stages = self.query_one("#release-stages", Static)
        arts = self.query_one("#release-artifacts", Static)
        if snap.current is None:
            stages.update("no cut yet")
            arts.update("")
            return
        stages.update(stages_line(snap.current, now))
        line = artifacts_line(snap.current)
        if snap.rehearsal is not None:
            glyph, style = STAGE_GLYPH[snap.rehearsal.status]
            line.append("   rollback rehearsal: ")
            line.append(f"{glyph} {snap.rehearsal.status.value}", style)
            if snap.rehearsal.finished_at is not None:
                line.append(f" {duration(now - snap.rehearsal.finished_at)} ago", "grey62")
        arts.update(line)
