"""What `b` says of a baseline it marks (pure words, for tui/baseline_actions.py): the
fault windows whose latency it would include, and data that is not fresh (a Prometheus
timing out: the p99.9 shown is the last one it answered, 35 s ago)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from backends.durations import duration, latency
from backends.faults_core import NEVER_STARTED, cancelled, ended_at
from backends.models import FaultWindow, HealthState, Snapshot, WindowState


def marked_when(at: datetime, now: datetime) -> str:
    return f"{at:%H:%M}Z" if at.date() == now.date() else f"{at:%Y-%m-%d %H:%M}Z"


def listed(p999_ms: dict[str, float], *, toast: bool = False) -> str:
    """ "GET /docs/:id 162 ms, GET /search 2.22 s": as the latency pane writes them; in a
    `toast` "2.22s", one word (a toast wraps at any space: backends/durations.py)."""
    sep = "" if toast else " "
    return ", ".join(f"{k} {latency(v, sep)}" for k, v in p999_ms.items())


def windows_named(windows: list[FaultWindow]) -> str:
    """ "464fad7a on stage/docs-api, 52fd3b02 on stage/docs-api": by id, as two windows on
    one host could not be told apart by their host."""
    more = f" and {len(windows) - 3} more" if len(windows) > 3 else ""
    named = (f"{w.id} on {w.spec.namespace}/{w.spec.target_host}" for w in windows[:3])
    return ", ".join(named) + more


def during_words(active: list[FaultWindow], recent: list[FaultWindow]) -> str:
    """What a baseline marked anyway includes, as the toast, the timeline and the report
    say it: "during fault window 464fad7a on stage/docs-api" (injecting as it was marked),
    "just after fault window 464fad7a on stage/docs-api" (its latency still in the p99.9);
    "" with neither."""
    windows, when = (active, "during") if active else (recent, "just after")
    if not windows:
        return ""
    named = [f"{w.id} on {w.spec.namespace}/{w.spec.target_host}" for w in windows[:3]]
    more = f" and {len(windows) - 3} more" if len(windows) > 3 else ""
    return f"{when} fault window{'s' * (len(windows) > 1)} {', '.join(named)}{more}"


def still_in_window(
    windows: Iterable[FaultWindow], now: datetime, window_s: float
) -> list[FaultWindow]:
    """Fault windows that ended less than `window_s` ago, so the latency they injected is
    still in a p99.9 over the last `window_s`. Not one cancelled before it started, nor one
    whose whole window passed with nothing applied: they injected nothing."""
    return [
        w
        for w in windows
        if w.state(now) is WindowState.ENDED
        and not cancelled(w)
        and w.end_reason != NEVER_STARTED
        and (now - ended_at(w)).total_seconds() < window_s
    ]


def stale_words(snap: Snapshot | None, now: datetime) -> str:
    """ "from data 35s old" while the latency source is not ok (failing, or no news for
    three polls): the p99.9 a baseline would take is that old; "" while it is fresh."""
    if snap is None or snap.health.effective_state(now) in (HealthState.OK, HealthState.NO_DATA):
        return ""
    age = snap.health.age_s(now)
    return f"from data {duration(age)} old" if age is not None else "from data of unknown age"
