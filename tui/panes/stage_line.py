"""The release pane's first line: a cut and its stages, in forms from whole to short, so
the stage running (or the one that failed) is shown whenever the width allows it.

Whole: `v… ◷ running  ✔ verify digests 38s → ✔ verify provenance 27s → ◷ generate notes 12s
→ · attach SBOM → · publish`. Narrower, the stages finished before it are counted
(`✔ 2 stages 1m05s → ◷ generate notes 12s → · attach SBOM → · publish`; one is named, not
counted), then those after
it too (`→ 2 to go`, or `2 not run` once the cut has ended), then the cut's status word
goes (its glyph stays). A finished green cut counts all its stages (`✔ 5 stages 2m10s`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from rich.text import Text

from backends.models import ReleaseRun, ReleaseStage, StageStatus
from tui.fmt import duration

Glyphs = Mapping[StageStatus, tuple[str, str]]
ARROW = " → "


def _stage(st: ReleaseStage, now: datetime, glyphs: Glyphs) -> Text:
    glyph, style = glyphs[st.status]
    text = Text(f"{glyph} {st.name}", style)
    elapsed = st.elapsed(now)
    if elapsed is not None:
        text.append(f" {duration(elapsed)}", "grey62")
    return text


def _done(stages: Sequence[ReleaseStage], now: datetime, glyphs: Glyphs) -> Text:
    """The stages finished before the one shown, counted: "✔ 3 stages 1m32s"."""
    ok = any(st.status is StageStatus.SUCCESS for st in stages)
    glyph, style = glyphs[StageStatus.SUCCESS if ok else StageStatus.SKIPPED]
    n = len(stages)
    text = Text(f"{glyph} {n} stage{'' if n == 1 else 's'}", style)
    took = [e for st in stages if (e := st.elapsed(now)) is not None]
    if took:
        text.append(f" {duration(sum(took, timedelta()))}", "grey62")
    return text


def _rest(stages: Sequence[ReleaseStage], ended: bool) -> Text:
    """The stages after the one shown, counted: "2 to go" ("2 not run" once it ended)."""
    return Text(f"{len(stages)} {'not run' if ended else 'to go'}", "grey50")


def _join(parts: Sequence[Text]) -> Text:
    return Text(ARROW, "grey50").join(parts)


def split(run: ReleaseRun) -> tuple[int, int]:
    """(where the stage to show is, where the stages after it start): the first running or
    failed stage; without one, the first pending (none shown); else after the last."""
    stages = run.stages
    for i, st in enumerate(stages):
        if st.status in (StageStatus.RUNNING, StageStatus.FAILURE):
            return i, i + 1
    i = next((i for i, st in enumerate(stages) if st.status is StageStatus.PENDING), len(stages))
    return i, i


def stage_forms(run: ReleaseRun, now: datetime, glyphs: Glyphs) -> list[Text]:
    """The line's forms, whole first."""
    glyph, style = glyphs[run.status]
    head = Text.assemble((run.version, "bold"), " ", (f"{glyph} {run.status.value}", style), "  ")
    short_head = Text.assemble((run.version, "bold"), " ", (glyph, style), "  ")
    focus, after = split(run)
    before = run.stages[:focus]
    shown = [_stage(st, now, glyphs) for st in run.stages[focus:after]]
    # one stage finished before: its name says more than "1 stage", in about as much room
    done = (
        [_done(before, now, glyphs)]
        if len(before) > 1
        else [_stage(st, now, glyphs) for st in before]
    )
    later = [_stage(st, now, glyphs) for st in run.stages[after:]]
    rest = [_rest(run.stages[after:], run.finished_at is not None)] if later else []
    whole = _join([_stage(st, now, glyphs) for st in run.stages])
    counted = _join([*done, *shown, *later])
    short = _join([*done, *shown, *rest])
    return [head + whole, head + counted, head + short, short_head + short]
