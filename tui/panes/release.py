"""Release train: the current cut as a row of stages with elapsed time, its artefacts'
verification, the rollback rehearsal's last result and age, the API budget when the source
has one, the release-train-failure alert, and the last cuts (a table; one line when there
is no room for a row: tui/panes/last_cuts.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult

from backends.alerts import derive
from backends.models import (
    AlertKind,
    RateLimit,
    Rehearsal,
    ReleaseRun,
    ReleaseSnapshot,
    StageStatus,
    Verification,
)
from tui.fmt import ago, duration
from tui.panes.base import SourcePane, empty_text, never_answered
from tui.panes.keyed_table import Column
from tui.panes.last_cuts import CutsTable, cuts_summary
from tui.panes.line import Line

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
VERIFY_GLYPH = {
    Verification.MISSING: "∅",
    Verification.UNVERIFIED: "?",
    Verification.VERIFIED: "✔",
    Verification.FAILED: "✖",
}
LOW_BUDGET = 0.1  # under 10% of the rate limit left: shown in yellow


def stages_line(run: ReleaseRun, now: datetime) -> Text:
    glyph, style = STAGE_GLYPH[run.status]
    text = Text.assemble((run.version, "bold"), " ", (f"{glyph} {run.status.value}", style), "  ")
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
    if not run.artifacts:
        return text.append("not known", "grey50")
    for i, (name, state) in enumerate(sorted(run.artifacts.items())):
        if i:
            text.append(" · ")
        text.append(f"{VERIFY_GLYPH[state]} {name} {state.value}", VERIFY_STYLE[state])
    return text


def artefacts_cell(run: ReleaseRun) -> Text:
    text = Text()
    for i, (name, state) in enumerate(sorted(run.artifacts.items())):
        if i:
            text.append(" ")
        text.append(f"{VERIFY_GLYPH[state]}{name}", VERIFY_STYLE[state])
    return text


def rehearsal_text(reh: Rehearsal | None, now: datetime, known: bool = True) -> Text:
    """known=False: the source has not answered, so "none yet" would be a guess."""
    text = Text("rollback rehearsal: ")
    if reh is None:
        return text.append("none yet" if known else "unknown", "grey50")
    glyph, style = STAGE_GLYPH[reh.status]
    text.append(f"{glyph} {reh.status.value}", style)
    if reh.finished_at is not None:
        text.append(f" {ago(now - reh.finished_at)} ago", "grey62")
        if reh.started_at is not None:
            text.append(f" (took {duration(reh.finished_at - reh.started_at)})", "grey62")
    elif reh.started_at is not None:
        text.append(f" for {duration(now - reh.started_at)}", "grey62")
    failed = [st.name for st in reh.stages if st.status is StageStatus.FAILURE]
    if failed:
        text.append(f" at {', '.join(failed)}", "red")
    return text


def budget_text(rl: RateLimit | None, now: datetime) -> Text:
    """The API budget: what is left and when it resets, or how long until a retry."""
    text = Text()
    if rl is None:
        return text
    if rl.retry_at is not None and now < rl.retry_at:
        text.append(f"rate limited: retry in {duration(rl.retry_at - now)}", "bold red")
        if rl.remaining is not None:
            text.append(f" ({rl.remaining}/{rl.limit or '?'} left)", "red")
        return text
    if rl.remaining is None:
        return text
    low = rl.limit is not None and rl.remaining < LOW_BUDGET * rl.limit
    text.append(f"API budget {rl.remaining}/{rl.limit or '?'}", "yellow" if low else "grey62")
    if rl.reset_at is not None:
        text.append(f", resets in {duration(max(rl.reset_at - now, timedelta(0)))}", "grey62")
    return text


def status_line(snap: ReleaseSnapshot, now: datetime) -> Text:
    line = rehearsal_text(snap.rehearsal, now, known=not never_answered(snap))
    budget = budget_text(snap.rate_limit, now)
    if budget:
        line.append("   ").append_text(budget)
    if snap.release is not None:
        line.append(f"   press n for the notes of {snap.release.tag}", "grey62")
    return line


def alert_line(snap: ReleaseSnapshot, now: datetime) -> Text:
    found = [a for a in derive({"release": snap}, now) if a.kind is AlertKind.RELEASE_FAILURE]
    text = Text()
    for i, a in enumerate(found):
        if i:
            text.append("\n")
        text.append(f"✖ {a.kind.value}: ", "bold red").append(a.message, "red")
    return text


class ReleasePane(SourcePane):
    TITLE = "Release train"

    def compose(self) -> ComposeResult:
        yield Line("", id="release-stages", classes="summary")
        yield Line("", id="release-artifacts", classes="summary")
        yield Line("", id="release-status", classes="summary")
        yield Line("", id="release-alert", classes="summary")
        yield CutsTable(  # at 80x24 no room for a row: one line of the last cuts
            "version",
            "status",
            "finished",
            Column("took", right=True),
            "failed at",
            "artefacts",
            id="release-table",
        )

    _shown_train: tuple[object, ...] | None = None

    def show(self, snap: ReleaseSnapshot) -> None:
        self.tick(snap, self.now)
        # A train changes every few minutes but is polled every second: redraw on change
        # (the clock-driven parts are `tick`'s).
        train = (snap.current, snap.recent, snap.rehearsal, snap.release, snap.rate_limit)
        if train == self._shown_train:
            return
        self._shown_train = train
        arts = self.query_one("#release-artifacts", Line)
        arts.update(artifacts_line(snap.current) if snap.current is not None else "")
        alert = alert_line(snap, self.now)
        box = self.query_one("#release-alert", Line)
        box.update(alert)
        box.display = bool(alert)
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
                artefacts_cell(run),
            )
        table = self.query_one(CutsTable)
        table.set_rows(rows)
        table.summary = cuts_summary(snap.recent, STAGE_GLYPH, known=not never_answered(snap))

    def tick(self, snap: ReleaseSnapshot, now: datetime) -> None:
        """What moves with the clock: a running stage's time, "ago", the rate-limit wait."""
        stages = self.query_one("#release-stages", Line)
        current = snap.current
        stages.update(stages_line(current, now) if current else empty_text(snap, "no cut yet"))
        self.query_one("#release-status", Line).update(status_line(snap, now))
