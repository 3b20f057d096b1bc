"""What a policy dry-run's report says, in words, alike in the dashboard (`p`, its toast)
and in `watchfloor policy replay`: which decisions (their time span, and whether there
were fewer than asked for), the flips by direction, and the warnings. Pure."""

from __future__ import annotations

from datetime import UTC, datetime

from backends.rego_source import split_entrypoint
from backends.replay import ReplayReport


def _at(t: datetime, with_date: bool) -> str:
    u = t.astimezone(UTC)
    return u.strftime("%Y-%m-%d %H:%M:%SZ" if with_date else "%H:%M:%SZ")


def span(report: ReplayReport) -> str:
    """`from 2025-05-01 16:58:02Z to 17:03:10Z` (the date again only when it differs)."""
    first, last = report.first_at, report.last_at
    if first is None or last is None:
        return ""
    same_day = first.astimezone(UTC).date() == last.astimezone(UTC).date()
    return f"from {_at(first, True)} to {_at(last, not same_day)}"


def scope(report: ReplayReport, held: str = "kept") -> str:
    """`5,000 decisions from ... to ... (all 5,000 kept; asked 100,000)`: which decisions,
    and when there were fewer than asked for, that these are all there were (`held`:
    "kept" by a source, "in events.json")."""
    words = f"{report.replayed:,} decision{'' if report.replayed == 1 else 's'}"
    if when := span(report):
        words += f" {when}"
    if report.capped:
        words += f" (all {report.available:,} {held}; asked {report.asked:,})"
    return words


def directions(report: ReplayReport, arrow: str = "→") -> str:
    """`412 deny→allow, 81 allow→deny`: the larger first, only those there are."""
    parts = [
        (report.deny_to_allow, f"deny{arrow}allow"),
        (report.allow_to_deny, f"allow{arrow}deny"),
    ]
    parts.sort(key=lambda p: -p[0])
    return ", ".join(f"{n:,} {what}" for n, what in parts if n)


def warnings(report: ReplayReport) -> list[str]:
    """What the counts do not say: a decision rule the candidate leaves without a
    default (undefined is counted as deny here; OPA returns no result, and a client may
    deny, allow or fail on that)."""
    out = []
    for entrypoint in report.no_default:
        _, rule = split_entrypoint(entrypoint)
        undefined = (
            f"it was undefined for {report.undefined:,} of {report.replayed:,} decisions,"
            " counted here as deny"
            if report.undefined
            else "undefined would be counted here as deny"
        )
        out.append(
            f"{entrypoint} has no `default {rule}` in the candidate: {undefined}; OPA then"
            " returns no result, which a client may take as deny, allow or an error"
            f" (add `default {rule} := false`)"
        )
    return out
