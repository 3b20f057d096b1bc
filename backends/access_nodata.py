"""What an access source says when it has nothing to count, and what it left out, in
words alike in the pane, `watchfloor snapshot` and `watchfloor policy replay` (pure).

A topic nobody publishes to, a topic name with a typo, a publisher that died, or a
`path` filter that matches none of the events looked like a healthy "deny 0.0% of 0
decisions": the source is NO_DATA then, and says since when nothing came and on what.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

PATHS_NAMED = 3  # other paths a note names, the commonest first
PATHS_KEPT = 16  # distinct other paths counted by name; later ones only in the total


def _at(t: datetime) -> str:
    return f"{t.astimezone(UTC):%H:%M:%S}Z"


def nothing_received(topic: str, since: datetime | None, path: str = "") -> str:
    """`no decisions received on watchfloor/decisions since 20:31:02Z`; with a path filter
    `no decisions of abac/decision received on ...`. `since`: when the last decision
    counted arrived, or when the source began listening."""
    what = f"no decisions of {path}" if path else "no decisions"
    return f"{what} received on {topic}" + (f" since {_at(since)}" if since else "")


def other_path_note(count: int, paths: Sequence[str], short: bool = False) -> str:
    """`20 events of another path (abac/allow) ignored` ("" for none); short: `20 of
    path abac/allow ignored`, for a narrow pane."""
    if count <= 0:
        return ""
    seen = ", ".join(paths)
    if short:
        return f"{count:,} of path {seen} ignored" if seen else f"{count:,} other path ignored"
    events = f"{count:,} event{'' if count == 1 else 's'} of another path"
    return f"{events} ({seen}) ignored" if seen else f"{events} ignored"


def count_path(seen: dict[str, int], path: str) -> None:
    """Count one event of another path by name, in bounded memory (PATHS_KEPT names)."""
    if path in seen or len(seen) < PATHS_KEPT:
        seen[path] = seen.get(path, 0) + 1


def commonest(seen: Mapping[str, int]) -> tuple[str, ...]:
    """The other paths to name: the commonest first, at most PATHS_NAMED ("-": none)."""
    ranked = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(p or "-" for p, _ in ranked[:PATHS_NAMED])
