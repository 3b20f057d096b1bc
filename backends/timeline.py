"""A timeline of everything that changed, derived by diffing successive snapshots.

Pure logic: the app feeds it every snapshot and the current alerts; it records grants and
revokes, fault windows changing state, release cuts starting and finishing, rehearsals,
alerts raised and cleared, and notes (a baseline marked). Fixed memory (a bounded deque).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from backends.models import (
    Alert,
    FaultsSnapshot,
    GrantsSnapshot,
    ReleaseSnapshot,
    Snapshot,
    WindowState,
)

MAX_EVENTS = 2000


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # grant, revoke, fault, release, rehearsal, alert, note
    text: str


class Timeline:
    def __init__(self, max_events: int = MAX_EVENTS) -> None:
        self.events: deque[Event] = deque(maxlen=max_events)
        self._grants: dict[str, str] | None = None
        self._windows: dict[str, WindowState] | None = None
        self._runs: dict[str, str] | None = None
        self._rehearsal: tuple[str, str] | None = None
        self._alerts: dict[str, Alert] = {}

    def note(self, at: datetime, kind: str, text: str) -> None:
        self.events.append(Event(at, kind, text))

    def observe(self, snap: Snapshot, now: datetime) -> None:
        if isinstance(snap, GrantsSnapshot):
            self._observe_grants(snap, now)
        elif isinstance(snap, FaultsSnapshot):
            self._observe_faults(snap, now)
        elif isinstance(snap, ReleaseSnapshot):
            self._observe_release(snap, now)

    def _observe_grants(self, snap: GrantsSnapshot, now: datetime) -> None:
        current = {g.id: f"{g.role} for {g.subject}" for g in snap.grants}
        if self._grants is not None:
            for g in snap.grants:
                if g.id not in self._grants:
                    self.note(
                        now,
                        "grant",
                        f"{g.granted_by} granted {g.role} to {g.subject} "
                        f"until {g.expires_at:%H:%M:%S}Z: {g.reason}",
                    )
            for gid, what in self._grants.items():
                if gid not in current:
                    self.note(now, "revoke", f"grant {gid} ({what}) ended")
        self._grants = current

    def _observe_faults(self, snap: FaultsSnapshot, now: datetime) -> None:
        current = {w.id: w.state(now) for w in snap.windows}
        if self._windows is not None:
            for w in snap.windows:
                before = self._windows.get(w.id)
                state = current[w.id]
                if before == state:
                    continue
                target = f"{w.spec.namespace}/{w.spec.target_host}"
                verb = {
                    WindowState.SCHEDULED: "scheduled",
                    WindowState.ACTIVE: "active",
                    WindowState.ENDED: "ended",
                }[state]
                text = f"fault window {w.id} on {target} {verb} (owner {w.owner}: {w.reason})"
                if state is WindowState.ENDED and w.end_reason:
                    text += f"; ended early, {w.end_reason}"  # HALT ALL, a guard, ended by
                self.note(now, "fault", text)
        self._windows = current

    def _observe_release(self, snap: ReleaseSnapshot, now: datetime) -> None:
        # a finished cut can be both `current` and the first of `recent`: one event
        runs = {r.id: r for r in (snap.current, *snap.recent) if r is not None}.values()
        current = {r.id: r.status.value for r in runs}
        if self._runs is not None:
            for r in runs:
                if self._runs.get(r.id) != current[r.id]:
                    self.note(now, "release", f"{r.version} {r.status.value}")
        self._runs = current
        if snap.rehearsal is not None:
            key = (snap.rehearsal.run_id, snap.rehearsal.status.value)
            if self._rehearsal is not None and key != self._rehearsal:
                self.note(now, "rehearsal", f"rollback rehearsal {snap.rehearsal.status.value}")
            self._rehearsal = key

    def observe_alerts(self, alerts: Iterable[Alert], now: datetime) -> None:
        current = {a.key: a for a in alerts}
        for key, a in current.items():
            if key not in self._alerts:
                self.note(now, "alert", f"raised {a.kind.value}: {a.message}")
        for key, a in self._alerts.items():
            if key not in current:
                self.note(now, "alert", f"cleared {a.kind.value}")
        self._alerts = current

    def newest_first(self) -> list[Event]:
        return list(reversed(self.events))
