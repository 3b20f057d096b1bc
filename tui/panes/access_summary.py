"""The Access pane's summary line, made for its width, and what it says with no data.

`deny 15.0% of 1,200 decisions in 60s · baseline 5.0%  ▂▃▅▆▇█  SAMPLED: 3,400 dropped
41 bad msgs  5 late  20 events of another path (abac/allow) ignored`. The notes say what
the figures leave out, so they are never cut for the sparkline: it gets what room is
left (none, at 80 columns), the figures and notes take shorter forms, and notes that
still do not fit go on the next line, whole.

A source with nothing in its window (NO_DATA: a quiet or misspelt topic, a dead
publisher, a path filter that matches no event, no such series) shows the Latency
pane's no-data look, "no data: no decisions received on watchfloor/decisions since
20:31:02Z", never "deny 0.0% of 0 decisions".
"""

from __future__ import annotations

from rich.text import Text

from backends.access_nodata import other_path_note
from backends.alerts import spike_threshold
from backends.models import AccessSnapshot, HealthState
from tui.fmt import pct
from tui.panes.base import empty_text, never_answered
from tui.panes.spark import spark

SPARK_MAX = 24  # cells of the summary's sparkline, at most
SPARK_MIN = 6  # fewer left: no sparkline
GAP = "  "
OVER_MARK = "!"  # after a deny rate over the spike threshold, as the Latency pane's over SLO


def note_forms(snap: AccessSnapshot) -> list[tuple[Text, Text]]:
    """What the counts leave out, each (full, short): a sample, bad messages, decisions
    stamped in the future, decisions that arrived older than the window, events of
    another policy path."""
    out = []
    if snap.sampled:
        why = f"{snap.dropped:,} dropped" if snap.dropped else "source drops events"
        short = f"{snap.dropped:,} dropped" if snap.dropped else "source drops"
        out.append(
            (Text(f"SAMPLED: {why}", "bold yellow"), Text(f"SAMPLED: {short}", "bold yellow"))
        )
    bad = snap.malformed + snap.oversized
    if bad:
        out.append((Text(f"{bad:,} bad msgs", "yellow"), Text(f"{bad:,} bad", "yellow")))
    if snap.skewed:  # stamped in the future: a publisher's clock ahead of ours
        out.append(
            (
                Text(f"{snap.skewed:,} future-dated msgs", "yellow"),
                Text(f"{snap.skewed:,} future", "yellow"),
            )
        )
    if snap.late:  # a backlog older than the window, after an outage
        late = Text(f"{snap.late:,} late", "yellow")
        out.append((late, late))
    if snap.other_path:
        n, paths = snap.other_path, snap.other_paths
        out.append(
            (
                Text(other_path_note(n, paths), "yellow"),
                Text(other_path_note(n, paths, short=True), "yellow"),
            )
        )
    return out


def over_mark(rate: float, limit: float) -> str:
    """OVER_MARK after a rate over the spike threshold `limit`: not in colour alone."""
    return OVER_MARK if rate > limit else ""


def head_forms(snap: AccessSnapshot) -> list[Text]:
    """The figures, fullest first: `deny 15.0% of 1,200 decisions in 60s · baseline 5.0%`;
    over the spike threshold `deny 21.8%! of … · ! over 17.0%`, what `!` means dropped
    before the window is."""
    limit = spike_threshold(snap.baseline_rate)
    over = snap.deny_rate > limit
    mark = over_mark(snap.deny_rate, limit)
    rate = (pct(snap.deny_rate) + mark, "bold red" if over else "bold")
    said = (f" · {OVER_MARK} over {pct(limit)}", "bold red") if over else ""
    n, base, window = f"{snap.total:,}", pct(snap.baseline_rate), f"{snap.window_s:.0f}s"
    full = Text.assemble("deny ", rate, f" of {n} decisions in {window} · baseline {base}")
    mid = Text.assemble("deny ", rate, f" of {n} in {window} · base {base}")
    short = Text.assemble("deny ", rate, f" of {n} · base {base}")
    if not over:
        return [full, mid, short]
    return [
        Text.assemble(full, said),
        Text.assemble(mid, said),
        mid,
        Text.assemble(short, said),
        short,
    ]


def _joined(parts: list[Text]) -> Text:
    return Text(GAP).join(p for p in parts if p.plain)


def _with_spark(head: Text, snap: AccessSnapshot, room: int) -> Text:
    """`head` and the sparkline in `room` cells (capped; none in fewer than SPARK_MIN)."""
    cells = min(SPARK_MAX, room - len(GAP))
    if cells < SPARK_MIN or not snap.history:
        return head
    return Text.assemble(head, GAP, (spark(snap.history, cells), "magenta"))


def _packed(pieces: list[tuple[Text, Text]], width: int) -> list[Text]:
    """Notes in lines of `width`, each whole (its short form where the full one would
    not fit on a line of its own)."""
    lines: list[Text] = []
    line = Text()
    for full, short in pieces:
        piece = full if full.cell_len <= width else short
        if line.plain and line.cell_len + len(GAP) + piece.cell_len > width:
            lines.append(line)
            line = Text()
        line = _joined([line, piece])
    return [*lines, line] if line.plain else lines


def summary_text(snap: AccessSnapshot, width: int) -> Text:
    """The figures, the sparkline in what room is left, then the notes, on one line where
    they fit; else the figures (and sparkline) on one and the notes on the next."""
    heads = head_forms(snap)
    notes = note_forms(snap)
    for head in heads:
        for pick in (0, 1):
            chosen = [n[pick] for n in notes]
            used = _joined([head, *chosen]).cell_len
            if used <= width:
                return _joined([_with_spark(head, snap, width - used), *chosen])
    head = next((h for h in heads if h.cell_len <= width), heads[-1])
    first = _with_spark(head, snap, width - head.cell_len)
    return Text("\n").join([first, *_packed(notes, width)])


def notes_text(snap: AccessSnapshot, width: int) -> Text:
    """The notes alone (beside the no-data message), packed in lines of `width`."""
    return Text("\n").join(_packed(note_forms(snap), width))


def no_data_text(snap: AccessSnapshot) -> Text | None:
    """What the pane says instead of a rate when there is none to show (None: there is):
    the source answers with nothing in the window ("no data: no decisions received on
    ..."), has never answered, or failed with nothing counted when it last answered."""
    health = snap.health
    if health.state is HealthState.NO_DATA:
        why = health.last_error or "waiting for the source"
        return Text.assemble(("no data", "bold"), f": {why}")
    if never_answered(snap):  # "deny 0.0% of 0 decisions" would be a guess
        return empty_text(snap, "")
    if health.state is HealthState.ERROR and snap.total == 0:
        return empty_text(snap, "No decisions in the window")
    return None
