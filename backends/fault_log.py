"""Every fault window of the game day, for the report's Fault windows section.

The faults source lists an ended window for an hour after its end (KEEP_ENDED); the report
lists each window the dashboard saw listed since it started (the latest version of each,
by id), and those the audit trail read at start records that it did not see: where, when,
by whom, why and how each ended, as far as the trail says (not what it injected, nor its
guards). Bounded: at most MAX_WINDOWS, the oldest starts left out first (`cut` counts
them, and the report says so). Pure logic: the app feeds it every faults snapshot and
what it read from the trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from backends.actions import did_nothing
from backends.fault_ends import ended_by, halted_by, removed_notes
from backends.faults_core import started
from backends.models import AuditRecord, FaultSpec, FaultsSnapshot, FaultWindow, HealthState

MAX_WINDOWS = 500


@dataclass(frozen=True)
class Logged:
    window: FaultWindow  # its latest version
    last_listed: datetime | None  # when the faults source last listed it; None: only the trail


class FaultLog:
    def __init__(self, limit: int = MAX_WINDOWS) -> None:
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        """Empty; after a profile switch, the report is about the new sources (and trail)."""
        self.windows: dict[str, Logged] = {}
        self.since: datetime | None = None  # the first snapshot listing the windows
        self.trail_since: datetime | None = None  # the trail read is complete from here
        self.listed: frozenset[str] = frozenset()  # in the latest snapshot that answered
        self.cut = 0  # windows left out to stay within `limit`

    def observe(self, snap: FaultsSnapshot) -> None:
        """A failing source's snapshot repeats its last answer: nothing new in it."""
        if snap.health.state is HealthState.ERROR:
            return
        if self.since is None:
            self.since = snap.observed_at
        for w in snap.windows:
            self.windows[w.id] = Logged(w, snap.observed_at)
        self.listed = frozenset(w.id for w in snap.windows)
        self._bound()

    def add_trail(self, windows: Iterable[FaultWindow], since: datetime) -> None:
        """Windows the audit trail records; one the source listed keeps its listed version."""
        for w in windows:
            if self.windows.get(w.id, Logged(w, None)).last_listed is None:
                self.windows[w.id] = Logged(w, None)
        self.trail_since = min(since, self.trail_since or since)
        self._bound()

    def newest_first(self) -> list[Logged]:
        return newest_first(self.windows.values())

    def _bound(self) -> None:
        over = len(self.windows) - self.limit
        if over <= 0:
            return
        old = [e for e in self.newest_first() if e.window.id not in self.listed][-over:]
        for e in old:
            del self.windows[e.window.id]
        self.cut += len(old)


def newest_first(entries: Iterable[Logged]) -> list[Logged]:
    """The latest start first (as the faults pane and the report list windows)."""
    return sorted(entries, key=lambda e: (e.window.starts_at, e.window.id), reverse=True)


END_ACTIONS = ("fault-end", "fault-reconcile-end", "fault-halt-all")


def trail_windows(
    actions: Iterable[tuple[AuditRecord | None, AuditRecord | None]],
) -> list[FaultWindow]:
    """The windows scheduled in these actions (request and outcome records, oldest first),
    with their starts and ends as the trail records them. What a window injected is not
    in the trail (its spec says nothing: 0%), nor are its guards."""
    found: dict[str, FaultWindow] = {}
    for request, outcome in actions:
        if outcome is None or did_nothing(outcome.outcome):
            continue  # refused, failed, or no outcome: it may not have happened
        details = {**(request.details if request else {}), **outcome.details}
        at = (request or outcome).at
        if outcome.action == "fault-schedule":
            w = _scheduled(outcome, details, at)
            if w is not None:
                found[w.id] = w
        elif outcome.action == "fault-start" and details.get("window_id") in found:
            wid = details["window_id"]
            by = details.get("run_by", "")  # who ran the reconciler that started it
            found[wid] = started(found[wid], at, by)
        elif outcome.action in END_ACTIONS:
            ids = [*details.get("windows", "").split(","), details.get("window_id", "")]
            reason = details.get("reason", "")
            why = {
                "fault-end": ended_by(outcome.actor, reason),
                "fault-halt-all": halted_by(outcome.actor, reason),
            }.get(outcome.action, reason)
            why += removed_notes(outcome.outcome)  # a fault someone edited came out too
            late = _when(details.get("ended_late_at", ""))  # its fault came out late
            for wid in ids:
                if wid in found and not found[wid].end_reason:
                    found[wid] = _ended(found[wid], at, why, late)
    return list(found.values())


def _scheduled(r: AuditRecord, details: dict[str, str], at: datetime) -> FaultWindow | None:
    namespace, _, host = r.target.partition("/")
    try:
        starts_at = datetime.fromisoformat(details["starts_at"])
        ends_at = datetime.fromisoformat(details["ends_at"])
        return FaultWindow(
            id=details["window_id"],
            spec=FaultSpec(namespace=namespace, target_host=host),
            owner=r.actor,
            reason=details.get("reason", ""),
            starts_at=starts_at,
            ends_at=ends_at,
            scheduled_at=at,
            applied=starts_at <= at,  # it started at once
            started_at=at if starts_at <= at else None,
            started_by=r.actor if starts_at <= at else "",
        )
    except (KeyError, ValueError):  # not a record this dashboard wrote: not listed
        return None


def _ended(w: FaultWindow, at: datetime, why: str, late: datetime | None) -> FaultWindow:
    """Ended early when the end was recorded before its planned end; else on time (the
    reconciler records that after the end), or `late` when the reconciler recorded that
    its fault came out then, well past its end."""
    if at < w.ends_at:
        return w.model_copy(update={"ended_early_at": at, "end_reason": why, "applied": False})
    return w.model_copy(update={"end_reason": why, "ended_late_at": late})


def _when(text: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None
