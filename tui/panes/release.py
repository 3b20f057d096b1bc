"""Release train: the current cut as a row of stages with elapsed time (the stage running
or failed kept in view: tui/panes/stage_line.py), its artefacts' verification, the
rollback rehearsal's last result and age, the API budget when the source has one, the
notes hint, the release-train-failure alert, and the cuts: the one running, then the last
ones (a table, Enter opens one; one line when there is no room for two rows:
tui/panes/last_cuts.py). The stage and status lines are made for the pane's width."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult

from backends.alerts import data_alerts
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
from tui.palette import key_of
from tui.panes.base import SourcePane, empty_text, never_answered
from tui.panes.keyed_table import Column
from tui.panes.last_cuts import CutsTable, cuts_summary
from tui.panes.line import FitLine, Line, fit
from tui.panes.stage_line import stage_forms

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


# the order the states' words give way where the line is short (the glyph says each)
WORDS_DROPPED = (
    Verification.VERIFIED,
    Verification.MISSING,
    Verification.UNVERIFIED,
    Verification.FAILED,
)


def artifacts_line(run: ReleaseRun, unsaid: Collection[Verification] = ()) -> Text:
    """Each artefact with its glyph, its name and, unless its state is `unsaid`, its
    state in a word."""
    text = Text("artefacts: ")
    if not run.artifacts:
        return text.append("not known", "grey50")
    for i, (name, state) in enumerate(sorted(run.artifacts.items())):
        if i:
            text.append(" · ")
        text.append_text(artefact_text(name, state, said=state not in unsaid))
    return text


def artefact_text(name: str, state: Verification, said: bool = True) -> Text:
    """'✖ provenance failed' (the state in a word too, if `said`), in its state's style."""
    word = f" {state.value}" if said else ""
    return Text(f"{VERIFY_GLYPH[state]} {name}{word}", VERIFY_STYLE[state])


def artifacts_forms(run: ReleaseRun) -> list[Text]:
    """artifacts_line longest first: the states' words go in WORDS_DROPPED's order."""
    return [artifacts_line(run, WORDS_DROPPED[:n]) for n in range(len(WORDS_DROPPED) + 1)]


def artefacts_cell(run: ReleaseRun) -> Text:
    text = Text()
    for i, (name, state) in enumerate(sorted(run.artifacts.items())):
        if i:
            text.append(" ")
        text.append(f"{VERIFY_GLYPH[state]}{name}", VERIFY_STYLE[state])
    return text


def rehearsal_text(
    reh: Rehearsal | None, now: datetime, known: bool = True, short: bool = False
) -> Text:
    """known=False: the source has not answered, so "none yet" would be a guess. `short`:
    without how long a finished one took."""
    text = Text("rollback rehearsal: ")
    if reh is None:
        return text.append("none yet" if known else "unknown", "grey50")
    glyph, style = STAGE_GLYPH[reh.status]
    text.append(f"{glyph} {reh.status.value}", style)
    if reh.finished_at is not None:
        text.append(f" {ago(now - reh.finished_at)} ago", "grey62")
        if reh.started_at is not None and not short:
            text.append(f" (took {duration(reh.finished_at - reh.started_at)})", "grey62")
    elif reh.started_at is not None:
        text.append(f" for {duration(now - reh.started_at)}", "grey62")
    failed = [st.name for st in reh.stages if st.status is StageStatus.FAILURE]
    if failed:
        text.append(f" at {', '.join(failed)}", "red")
    return text


def budget_text(rl: RateLimit | None, now: datetime, short: bool = False) -> Text:
    """The API budget: what is left and when it resets, or how long until a retry.
    `short`: without the reset, or what is left while waiting."""
    text = Text()
    if rl is None:
        return text
    if rl.retry_at is not None and now < rl.retry_at:
        text.append(f"rate limited: retry in {duration(rl.retry_at - now)}", "bold red")
        if rl.remaining is not None and not short:
            text.append(f" ({rl.remaining}/{rl.limit or '?'} left)", "red")
        return text
    if rl.remaining is None:
        return text
    low = rl.limit is not None and rl.remaining < LOW_BUDGET * rl.limit
    text.append(f"API budget {rl.remaining}/{rl.limit or '?'}", "yellow" if low else "grey62")
    if rl.reset_at is not None and not short:
        text.append(f", resets in {duration(max(rl.reset_at - now, timedelta(0)))}", "grey62")
    return text


NOTES_HINTS = ("press {key} for the notes of {tag}", "{key}: notes of {tag}", "{key}: notes", "")
# The status line's forms, fullest first: (short rehearsal, short budget, notes hint).
STATUS_FORMS: tuple[tuple[bool, bool, int], ...] = (
    (False, False, 0),
    (False, False, 1),
    (True, False, 1),
    (True, True, 1),
    (True, True, 2),
    (True, True, 3),
)


def status_forms(snap: ReleaseSnapshot, now: datetime, notes_key: str = "n") -> list[Text]:
    """The rehearsal, the API budget and the notes hint, in forms from whole to short: the
    hint shortens first, and names the tag whole or not at all. `notes_key`: the notes'
    key as [keys] has it."""
    known = not never_answered(snap)
    forms = []
    for short_reh, short_budget, hint in STATUS_FORMS:
        line = rehearsal_text(snap.rehearsal, now, known=known, short=short_reh)
        budget = budget_text(snap.rate_limit, now, short=short_budget)
        if budget:
            line.append("   ").append_text(budget)
        if snap.release is not None and NOTES_HINTS[hint]:
            line.append(
                "   " + NOTES_HINTS[hint].format(tag=snap.release.tag, key=notes_key), "grey62"
            )
        forms.append(line)
    return forms


def alert_line(snap: ReleaseSnapshot, now: datetime) -> Text:
    found = [a for a in data_alerts(snap, now) if a.kind is AlertKind.RELEASE_FAILURE]
    text = Text()
    for i, a in enumerate(found):
        if i:
            text.append("\n")
        text.append(f"✖ {a.kind.value}: ", "bold red").append(a.message, "red")
    return text


def listed_cuts(snap: ReleaseSnapshot) -> list[ReleaseRun]:
    """The cuts the table lists, newest first: the one still running, then the last ones."""
    cuts = list(snap.recent)
    current = snap.current
    if current is not None and current.version not in {r.version for r in cuts}:
        cuts.insert(0, current)
    return cuts


class ReleasePane(SourcePane):
    TITLE = "Release train"

    def compose(self) -> ComposeResult:
        yield FitLine("", id="release-stages", classes="summary")
        yield FitLine("", id="release-artifacts", classes="summary")
        yield FitLine("", id="release-status", classes="summary")
        yield Line("", id="release-alert", classes="summary")
        yield CutsTable(  # at 80x24 no room for a row: one line of the last cuts
            "version",
            "status",
            "finished",
            Column("run took", right=True),  # the run, set-up included; stages: their own
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
        forms = artifacts_forms(snap.current) if snap.current is not None else [Text()]
        self.query_one("#release-artifacts", FitLine).show(lambda w: fit(forms, w))
        alert = alert_line(snap, self.now)
        box = self.query_one("#release-alert", Line)
        box.update(alert)
        box.display = bool(alert)
        rows = {}
        cuts = listed_cuts(snap)
        for run in cuts:
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
        table.summary = cuts_summary(cuts, STAGE_GLYPH, known=not never_answered(snap))

    def tick(self, snap: ReleaseSnapshot, now: datetime) -> None:
        """What moves with the clock: a running stage's time, "ago", the rate-limit wait."""
        current = snap.current
        forms = stage_forms(current, now, STAGE_GLYPH) if current else []
        empty = empty_text(snap, "no cut yet")
        self.query_one("#release-stages", FitLine).show(lambda w: fit(forms, w) if forms else empty)
        status = status_forms(snap, now, key_of(self.app, "release.notes"))
        self.query_one("#release-status", FitLine).show(lambda w: fit(status, w))
