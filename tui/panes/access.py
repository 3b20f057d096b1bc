"""Access (ABAC): deny rate over the window, its trend, the worst keys, the top denials.

The top denials are counted by service and rule (`data_residency`, not one line per
tenant and region) over the recent denials the snapshot carries, the last 50, which the
line says with the time they span: fewer than the window's rows count. A denial's reason
is the one the decision log carries (`abac/decision`), or "reason not logged".

A rate computed from a sample (the source dropped events: OPA's own drop rules, a full
queue) is labelled as one. `d` opens the recent denials, Enter on a row the recent
denials filtered to that row's key (`tenant=acme`), `p` the policy dry-run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from backends.alerts import spike_threshold
from backends.models import AccessSnapshot, Decision
from tui.fmt import duration, pct
from tui.panes.base import SourcePane, empty_text, never_answered
from tui.panes.keyed_table import Column, KeyedTable
from tui.panes.line import Line
from tui.panes.spark import spark

TOP_ROWS = 12
TOP_DENIALS = 3


NOT_LOGGED = "reason not logged"


def denial_kind(d: Decision) -> str:
    """Why a denial was made, as the policy said it (`abac/decision`'s reason), or that the
    decision log does not say: a bare `result: false` names no rule, and a rule guessed
    from the attributes would be shown as if the policy had named it."""
    return d.reason or NOT_LOGGED


def rule_names(why: str) -> str:
    """The rules a policy reason names, without their explanations:
    'data_residency: acme … ap-south-1; tenant_mismatch' -> 'data_residency, tenant_mismatch'."""
    return ", ".join(part.partition(":")[0].strip() for part in why.split(";"))


def top_denials(denied: Iterable[Decision], n: int = TOP_DENIALS) -> list[tuple[str, int]]:
    """The commonest (service, rules) among `denied`: a rule's detail (which tenant, which
    region) would split one rule's count in many."""
    return Counter(f"{d.attrs.service}: {rule_names(denial_kind(d))}" for d in denied).most_common(
        n
    )


def last_denials(denied: Sequence[Decision]) -> str:
    """What a snapshot's recent denials are: 'last 50 denials'."""
    return f"last {len(denied):,} denial{'s' if len(denied) != 1 else ''}"


def sample_note(snap: AccessSnapshot) -> Text:
    """Empty when the counts are complete; otherwise says why they are a sample, and
    what was left out: bad messages, decisions that arrived older than the window."""
    out = Text()
    if snap.sampled:
        why = f"{snap.dropped:,} dropped" if snap.dropped else "source drops events"
        out.append(f"  SAMPLED: {why}", "bold yellow")
    bad = snap.malformed + snap.oversized
    if bad:
        out.append(f"  {bad:,} bad msgs", "yellow")
    if snap.late:  # a backlog older than the window, after an outage
        out.append(f"  {snap.late:,} late", "yellow")
    return out


class AccessTable(KeyedTable):
    """The deny rates by key; Enter on one (KeyedTable.Selected, keyed `tenant=acme`) is
    the App's to open the denials behind it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Denials for this key", show=False, id="access.key_denials"),
    ]


class AccessPane(SourcePane):
    TITLE = "Access · ABAC deny rates"
    DEFAULT_CSS = """
    AccessPane #access-top { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def compose(self) -> ComposeResult:
        yield Line("", id="access-summary", classes="summary")
        yield Line("", id="access-top", classes="summary")
        yield AccessTable(
            "key",
            Column("deny", right=True),
            Column("denied", right=True),
            Column("total", right=True),
            "trend",
            id="access-table",
            zebra_stripes=True,
        )

    def show(self, snap: AccessSnapshot) -> None:
        limit = spike_threshold(snap.baseline_rate)
        rate_style = "bold red" if snap.deny_rate > limit else "bold"
        summary = Text.assemble(
            "deny ",
            (pct(snap.deny_rate), rate_style),
            f" of {snap.total:,} decisions in {snap.window_s:.0f}s · baseline ",
            pct(snap.baseline_rate),
            "  ",
            (spark(snap.history, 24), "magenta"),
        )
        summary.append_text(sample_note(snap))
        if never_answered(snap):  # "deny 0.0% of 0 decisions" would be a guess
            summary = empty_text(snap, "")
        self.query_one("#access-summary", Line).update(summary)
        top = top_denials(snap.recent_denied)
        if never_answered(snap):
            line = Text("top denials: unknown", style="dim")
        elif top:
            # over the denials the snapshot carries (the last 50), not the rows' window
            recent = snap.recent_denied
            took = duration(recent[0].timestamp - recent[-1].timestamp)
            line = Text(f"{last_denials(recent)} ({took}): ", style="dim")
            for i, (what, count) in enumerate(top):
                line.append(" · " if i else "")
                line.append(f"{count}x ", "bold red")
                line.append(what)
        else:
            line = Text("top denials: none recently", style="dim")
        self.query_one("#access-top", Line).update(line)
        rows = {}
        for r in snap.rows[:TOP_ROWS]:
            key = f"{r.dimension}={r.value}"
            style = "red" if r.rate > limit else ""
            rows[key] = (
                key,
                Text(pct(r.rate) + ("~" if snap.sampled else ""), style=style, justify="right"),
                Text(f"{r.denied:,}", justify="right"),
                Text(f"{r.total:,}", justify="right"),
                spark(r.history, 12, 1.0),
            )
        self.table().set_rows(rows)
