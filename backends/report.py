"""The game-day report: Markdown with the fault windows, p99.9 before and after, the alerts
and the timeline. Text from the data (a reason, a route, an alert's message) goes in through
`md_text`, or `md_cell` in a table (backends/text_safe.py): a control character in it shows
as such, and a newline, a `|` or a `*` in it cannot add a table row, a column or emphasis."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from backends.alert_acks import acked_words, raised_words
from backends.durations import latency as said  # as the latency pane says it
from backends.fault_log import FaultLog
from backends.latency_peaks import LatencyPeaks
from backends.models import Alert, FaultsSnapshot, LatencySnapshot
from backends.report_faults import fault_windows_section
from backends.text_safe import md_cell, md_text, shown
from backends.timeline import Event
from backends.timeline_words import stamp


def game_day_report(
    *,
    now: datetime,
    environment: str,
    events: Iterable[Event],
    alerts: Iterable[Alert],
    first_seen: Mapping[str, float],
    latency: LatencySnapshot | None,
    baselines: Mapping[str, float],
    history_note: str = "",
    first_seen_at: datetime | None = None,
    baseline_at: datetime | None = None,
    baseline_during: str = "",
    peaks: LatencyPeaks | None = None,
    faults: FaultsSnapshot | None = None,
    fault_log: FaultLog | None = None,
) -> str:
    """`first_seen`: the first p99.9 per route of the game day (of the run that marked the
    baseline, kept across a restart); `history_note`: where the timeline's events come from
    (backends/audit_history.py); `faults`: the faults pane's latest snapshot (whether the
    source answers; its windows are listed, what each injected; None: not known);
    `fault_log`: every window seen since the start and from the trail, listed instead;
    `baseline_during`: the fault windows the baseline was marked during ("during fault
    window 464fad7a on stage/docs-api"), said after when it was marked."""
    lines = [
        f"# Game-day report — {md_text(environment)}",
        "",
        f"Generated {now:%Y-%m-%d %H:%M:%S}Z.",
    ]
    lines += fault_windows_section(faults, now, fault_log)
    lines += [
        "",
        "## p99.9 before and after",
        "",
        "| route | SLO | baseline | first seen | now | change |",
        "|---|---|---|---|---|---|",
    ]
    for r in latency.routes if latency else ():
        first = first_seen.get(r.route)
        ref = baselines.get(r.route, first)
        change = f"{r.p999_ms / ref - 1:+.1%}" if ref and r.p999_ms is not None else "—"
        lines.append(
            f"| {md_cell(r.route)} | {said(r.slo_ms)} | {said(baselines.get(r.route))} | "
            f"{said(first)} | {said(r.p999_ms)} | {change} |"
        )
    during = f", {md_text(baseline_during)}" if baseline_during else ""
    when = [
        f"{what} at {stamp(at, now.date())}{more}."
        for what, at, more in (
            ("Baseline marked", baseline_at, during),
            ("First seen", first_seen_at, ""),
        )
        if at is not None
    ]
    if when:
        lines += ["", " ".join(when)]
    if peaks is not None and peaks.since is not None:
        lines += _peaks(peaks, now)
    lines += ["", "## Alerts at the time of the report", ""]
    alert_list = list(alerts)
    if not alert_list:
        lines.append("None.")
    for a in alert_list:
        state = ", ".join(w for w in (a.severity, acked_words(a, now.date())) if w)
        raised = raised_words(a, now.date())
        lines.append(f"- {raised} **{a.kind.value}** ({md_text(state)}): {md_text(a.message)}")
    lines += ["", "## Timeline", ""]
    if history_note:
        lines += [shown(history_note), ""]  # Markdown of its own: only made one line
    lines += ["| time | what | detail |", "|---|---|---|"]
    for e in events:
        lines.append(f"| {stamp(e.at, now.date())} | {e.kind} | {md_cell(e.text)} |")
    return "\n".join(lines) + "\n"


def _peaks(peaks: LatencyPeaks, now: datetime) -> list[str]:
    """The worst p99.9 and the lowest adaptive limit per route, and when, since the start."""
    assert peaks.since is not None
    lines = [
        "",
        f"## Worst since {stamp(peaks.since, now.date())}",
        "",
        "| route | worst p99.9 | at | limit at start | lowest limit | at |",
        "|---|---|---|---|---|---|",
    ]
    for route, p in peaks.routes.items():
        worst = ("> " if p.worst_is_lower_bound else "") + said(p.worst_p999_ms)
        limits = ["—" if v is None else f"{v:,.0f}" for v in (p.first_limit, p.lowest_limit)]
        ats = [
            "—" if t is None else stamp(t, now.date()) for t in (p.worst_p999_at, p.lowest_limit_at)
        ]
        lines.append(
            f"| {md_text(route)} | {worst} | {ats[0]} | {limits[0]} | {limits[1]} | {ats[1]} |"
        )
    return lines
