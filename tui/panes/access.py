"""Access (ABAC): deny rate over the window, its trend, the worst keys, the top denials.

The top denials are counted by service and rule (`data_residency`, not one line per
tenant and region) over the window the rows count (`top denials in 60s`), by the source
(backends/access_denials.py). A source that does not count them (a plugin) leaves them
to the recent denials its snapshot carries, which the line then says with the time they
span (`last 50 denials (11s)`). A denial's reason is the one the decision log carries
(`abac/decision`), or "reason not logged".

A rate computed from a sample (the source dropped events: OPA's own drop rules, a full
queue) is labelled as one; the summary's notes (tui/panes/access_summary.py) say what the
counts leave out, and a source with nothing in its window says so instead of a 0 % rate.
`d` opens the recent denials, Enter on a row the recent denials filtered to that row's
key (`tenant=acme`), `p` the policy dry-run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from backends.access_denials import denial_key
from backends.access_denials import denial_kind as reason_or_not_logged
from backends.access_denials import rule_names as rule_names  # for the denials screens
from backends.alerts import spike_threshold
from backends.models import AccessSnapshot, Decision, worst_first
from tui.fmt import duration, pct
from tui.panes.access_summary import (
    no_data_text,
    note_forms,
    notes_text,
    over_mark,
    summary_text,
)
from tui.panes.base import SourcePane
from tui.panes.keyed_table import Column, KeyedTable
from tui.panes.line import FitLine, FlowLine, fit
from tui.panes.spark import spark

TOP_ROWS = 12
TOP_DENIALS = 3


def denial_kind(d: Decision) -> str:
    """Why a denial was made, as the policy said it, or "reason not logged"."""
    return reason_or_not_logged(d.reason)


def top_denials(denied: Iterable[Decision], n: int = TOP_DENIALS) -> list[tuple[str, int]]:
    """The commonest (service, rules) among `denied`: a rule's detail (which tenant, which
    region) would split one rule's count in many."""
    return Counter(denial_key(d.attrs.service, d.reason) for d in denied).most_common(n)


def last_denials(denied: Sequence[Decision]) -> str:
    """What a snapshot's recent denials are: 'last 50 denials'."""
    return f"last {len(denied):,} denial{'s' if len(denied) != 1 else ''}"


def top_line(snap: AccessSnapshot, width: int = 10_000) -> Text:
    """`top denials in 60s: 12x gateway: tenant_mismatch · …`, over the rows' window; from
    a source that does not count them, over the recent denials it carries, said so. Where
    it does not fit `width`, the less important parts go first (the words of the head,
    the later denials, said `+2 more`, then the first one's service), so the first
    denial's rule stays whole (at 80 columns it was cut: `gateway: tenant_mi…`)."""
    if snap.top_denials is not None:
        top = list(snap.top_denials[:TOP_DENIALS])
        heads = [f"top denials in {snap.window_s:.0f}s", "top denials", "denials"]
    else:
        recent = snap.recent_denied
        top = top_denials(recent)
        took = duration(recent[0].timestamp - recent[-1].timestamp) if recent else ""
        heads = [f"{last_denials(recent)} ({took})", last_denials(recent), "denials"]
    if not top:
        return Text(f"top denials: none in {snap.window_s:.0f}s", style="dim")
    forms = [
        _top_form(head, top[:k], len(top) - k) for k in range(len(top), 0, -1) for head in heads
    ]
    forms.append(_top_form(heads[-1], top[:1], len(top) - 1, short=True))
    what, count = top[0]
    service, _, rules = what.rpartition(": ")
    if service:  # the service shortened, the rule whole
        room = width - _top_form(heads[-1], [(f"…: {rules}", count)], len(top) - 1, True).cell_len
        short = service[: max(0, room - 1)] + "…" if room > 1 else ""
        forms.append(
            _top_form(
                heads[-1], [(f"{short}: {rules}" if short else rules, count)], len(top) - 1, True
            )
        )
    return fit(forms, width)


def _top_form(head: str, top: Sequence[tuple[str, int]], more: int, short: bool = False) -> Text:
    line = Text(f"{head}: ", style="dim")
    for i, (what, count) in enumerate(top):
        line.append(" · " if i else "")
        line.append(f"{count}x ", "bold red")
        line.append(what)
    if more:
        line.append(" …" if short else f" · +{more} more", style="dim")
    return line


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
    AccessPane.-empty #access-top, AccessPane.-empty AccessTable { display: none; }
    AccessPane #access-summary.-blank { display: none; }
    """

    def compose(self) -> ComposeResult:
        # the Latency pane's no-data look: shown (and the table hidden) in "-empty"
        yield FlowLine(wrap=True, id="access-empty", classes="empty")
        yield FlowLine(id="access-summary", classes="summary")
        yield FitLine("", id="access-top", classes="summary")
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
        nothing = no_data_text(snap)
        self.set_class(nothing is not None, "-empty")
        summary = self.query_one("#access-summary", FlowLine)
        if nothing is not None:  # no rate to show: why, and what was left out
            self.query_one("#access-empty", FlowLine).show(lambda _: nothing)
            summary.show(lambda w: notes_text(snap, w))
            summary.set_class(not note_forms(snap), "-blank")
            self.table().set_rows({})
            return
        summary.set_class(False, "-blank")
        summary.show(lambda w: summary_text(snap, w))
        self.query_one("#access-top", FitLine).show(lambda w: top_line(snap, w))
        limit = spike_threshold(snap.baseline_rate)
        rows = {}
        for r in worst_first(snap.rows)[:TOP_ROWS]:  # whatever order the source gave
            key = f"{r.dimension}={r.value}"
            style = "red" if r.rate > limit else ""
            rate = pct(r.rate) + ("~" if snap.sampled else "") + over_mark(r.rate, limit)
            rows[key] = (
                key,
                Text(rate, style=style, justify="right"),
                Text(f"{r.denied:,}", justify="right"),
                Text(f"{r.total:,}", justify="right"),
                spark(r.history, 12, 1.0),
            )
        self.table().set_rows(rows)
        if (missing := self.no_match(self.table().row_count, len(rows), "key")) is not None:
            self.query_one("#access-top", FitLine).show(lambda _: missing)
