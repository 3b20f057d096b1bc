"""A timeline of everything that changed, derived by diffing successive snapshots.

Pure logic: the app feeds it every snapshot and the current alerts; it records grants and
revokes, fault windows changing state, release cuts starting and finishing, rehearsals,
alerts raised and cleared, and notes (a baseline marked). Fixed memory (a bounded deque).
An event derived from a snapshot is stamped when the change happened as the snapshot says
(a grant's granted_at, a revoke's time, a window's start and end, a cut's finish), not when
this dashboard noticed it, so every dashboard on the same data says the same time.
A window's end is noted once however it is learnt: seen happening, or already ended in
the first snapshot (the start-up reconcile round ends windows that ran out while no
dashboard ran); said again in place when a later snapshot says why it ended.

It also holds the audit trail's recent history (backends/audit_history.py): what happened
before the dashboard started. An event says what happened to which object in its `key`
(`grant:ID:start`, `window:ID:end`, ...), live or from the trail alike, so an action this
dashboard saw happen is not shown a second time when the trail is read (again) later.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from backends.models import (
    Alert,
    FaultsSnapshot,
    FaultWindow,
    Grant,
    GrantsSnapshot,
    ReleaseSnapshot,
    Snapshot,
    TrailAck,
    WindowState,
)
from backends.models_base import same_objects
from backends.timeline_alerts import AlertNotes
from backends.timeline_words import (
    gone_text,
    happened,
    rehearsal_text,
    seen_state,
    stamp,
    vanished_text,
    window_text,
    window_time,
)

MAX_EVENTS = 2000
CHECK_RANK = {"": 0, "checking": 1, "ok": 1, "unchecked": 2, "failed": 3}


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # grant, revoke, fault, release, rehearsal, alert, note; audit (the trail)
    text: str
    key: str = ""  # what happened to which object: the same live and in the audit trail


def grant_key(grant_id: str, what: str) -> str:
    """A grant's `start` (granted) or `end` (revoked, expired)."""
    return f"grant:{grant_id}:{what}"


def expired_text(grant_id: str, what: str, expires_at: datetime) -> str:
    """A grant that ran out, nobody revoked it: `what` is "ROLE for SUBJECT"."""
    return f"grant {grant_id} ({what}) expired at {expires_at:%H:%M:%S}Z"


def window_key(window_id: str, what: str) -> str:
    """A fault window's `open` (scheduled, or active at once), `active` or `end`."""
    return f"window:{window_id}:{what}"


def halt_key(actor: str, reason: str) -> str:
    return f"halt:{actor}:{reason}"


def ack_key(alert_key: str, since: str) -> str:
    """An alert's ack: its key, and when it was raised (ISO 8601, as the audit record has it)."""
    return f"ack:{alert_key}:{since}"


class Timeline:
    def __init__(self, max_events: int = MAX_EVENTS) -> None:
        self.max_events = max_events
        self.events: deque[Event] = deque(maxlen=max_events)
        self._grants: dict[str, tuple[str, datetime]] | None = None
        self._listed: tuple[Grant, ...] = ()  # the grants of the last grants snapshot
        self._acks: set[str] | None = None  # the keys of the acks the grants poll carries
        self._windows: dict[str, WindowState] | None = None
        self._ended: dict[str, str] = {}  # the end event's text of each window listed
        self._runs: dict[str, str] | None = None
        self._rehearsals: dict[str, str] | None = None  # run id: status
        self.alerts = AlertNotes(lambda at, kind, text: self.note(at, kind, text))
        self.live_since: datetime | None = None  # the first snapshot seen
        # the audit trail's recent history, by audit record id (request and outcome
        # share it), so reading the same trail again adds nothing twice
        self.history: dict[str, Event] = {}
        self.history_state = ""  # "" not asked, "reading", "read", "failed"
        self.history_since: datetime | None = None  # complete from here
        self.history_error = ""
        # checking that trail (AuditSink.verify): "" not yet, "checking", "ok", "failed"
        # (tampered; `history_check_note` says where), "unchecked" (it says why)
        self.history_check = ""
        self.history_check_note = ""

    def note(self, at: datetime, kind: str, text: str, key: str = "") -> None:
        self.events.append(Event(at, kind, text, key))

    def rebase(self) -> None:
        """New sources (a profile switch): their first snapshots are the starting point,
        not news measured against the old sources' last ones."""
        self._grants = None
        self._listed = ()
        self._acks = None
        self._windows = None
        self._runs = None
        self._rehearsals = None

    def leave_alerts(self) -> int:
        """A profile switch: the alerts going on are left behind, not cleared; one the new
        profile still lists goes on (AlertNotes.leave). How many there were."""
        return self.alerts.leave()

    def add_history(self, events: Mapping[str, Event], since: datetime) -> None:
        """What the audit trail says happened, by audit record id; the newest are kept."""
        self.history.update(events)
        if len(self.history) > self.max_events:
            keep = sorted(self.history.items(), key=lambda kv: kv[1].at)[-self.max_events :]
            self.history = dict(keep)
        self.history_state = "read"
        self.history_since = min(since, self.history_since or since)
        self.history_error = ""

    def history_checked(self, state: str, note: str = "") -> None:
        """How checking the trail went. The worst outcome stays (a profile switch reads
        another trail; the events of the first are still shown)."""
        if CHECK_RANK[state] >= CHECK_RANK[self.history_check]:
            self.history_check, self.history_check_note = state, note

    def history_failed(self, error: str) -> None:
        self.history_state = "failed"
        self.history_error = error

    def observe(self, snap: Snapshot, now: datetime) -> None:
        if self.live_since is None:
            self.live_since = now
        if isinstance(snap, GrantsSnapshot):
            self._observe_grants(snap, now)
        elif isinstance(snap, FaultsSnapshot):
            self._observe_faults(snap, now)
        elif isinstance(snap, ReleaseSnapshot):
            self._observe_release(snap, now)

    def _observe_grants(self, snap: GrantsSnapshot, now: datetime) -> None:
        if self._grants is not None and same_objects(snap.grants, self._listed):
            # the same grants as the last poll (a source that keeps them gives the same
            # objects: a pointer's cost): none granted, none gone
            self._observe_acks(snap.acks)
            return
        self._listed = snap.grants
        current = {g.id: (f"{g.role} for {g.subject}", g.expires_at) for g in snap.grants}
        if self._grants is not None:
            for g in snap.grants:
                if g.id not in self._grants:
                    at = happened(g.granted_at, now)
                    self.note(  # its end dated when not that day's, as the trail's says it
                        at,
                        "grant",
                        f"{g.granted_by} granted {g.role} to {g.subject} "
                        f"until {stamp(g.expires_at, at.date())}: {g.reason}",
                        grant_key(g.id, "start"),
                    )
            for gid, (what, expires_at) in self._grants.items():
                key = grant_key(gid, "end")
                if gid in current or self.has_live(key):  # noted by whoever revoked it here
                    continue
                self._note_end(snap, gid, what, expires_at, now)
        self._grants = current
        self._observe_acks(snap.acks)

    def _observe_acks(self, acks: Iterable[TrailAck]) -> None:
        """An alert acknowledged since the last poll, on another dashboard too ("bob
        acknowledged ..."), at its time; one acknowledged here is noted already. Those of
        the first snapshot are not news: the audit history read at start has them."""
        current = {ack_key(a.key, a.since.isoformat()): a for a in acks}
        if self._acks is not None:
            for key, a in current.items():
                if key in self._acks or self.has_live(key):
                    continue
                what = a.alert or a.key
                self.note(a.at, "alert", f"{a.who or a.actor} acknowledged {what}", key)
        self._acks = set(current)

    def _note_end(
        self, snap: GrantsSnapshot, gid: str, what: str, expires_at: datetime, now: datetime
    ) -> None:
        """A grant gone from the list: revoked (by whom and why, at when, as far as the
        source says: from another terminal or dashboard) or run out, as the source says it
        (`how`: one that ran out may still name who reaped it); else gone, and no more is
        said than is known: nobody is said to have revoked it."""
        key, end, source = grant_key(gid, "end"), snap.ended_of(gid), snap.source
        if end is not None and end.how == "revoked":  # the same words as a revoke made here
            why = f": {end.reason}" if end.reason else ""
            by = end.revoked_by
            text = (
                f"{by} revoked grant {gid} ({what}){why}"
                if by
                else f"grant {gid} ({what}) revoked{why}"
            )
            self.note(happened(end.at, now), "revoke", text, key)
        elif end is not None and end.how == "unlisted":  # no revoke on record (an alert)
            text = f"grant {gid} ({what}) {vanished_text(end, source)}"
            self.note(happened(end.at, now), "grant", text, key)
        elif end is not None or now >= expires_at:  # it ran out: nobody revoked it
            text = expired_text(gid, what, expires_at)
            self.note(happened(end.at if end else expires_at, now), "grant", text, key)
        else:  # the source does not say how
            self.note(now, "grant", f"grant {gid} ({what}) {gone_text(source)}", key)

    def has_live(self, key: str) -> bool:
        return any(e.key == key for e in self.events)

    def say_again(self, key: str, text: str) -> None:
        """The live event with this key says `text` instead, in its place and time (a
        switch's note, once the new profile's first look says which alerts it left)."""
        for i, e in enumerate(self.events):
            if e.key == key:
                self.events[i] = Event(e.at, e.kind, text, key)
                return

    def _observe_faults(self, snap: FaultsSnapshot, now: datetime) -> None:
        current = {w.id: seen_state(w, now) for w in snap.windows}
        for w in snap.windows:
            state = current[w.id]
            if state is WindowState.ENDED:  # the first snapshot's too: see _note_window_end
                self._note_window_end(w, now)
                continue
            if self._windows is None:  # what was open at start is not news
                continue
            before = self._windows.get(w.id)
            if before == state:
                continue
            key = window_key(w.id, "open" if before is None else state.value)
            self.note(window_time(w, state, now), "fault", window_text(w, state), key)
        self._windows = current
        self._ended = {wid: text for wid, text in self._ended.items() if wid in current}

    def _note_window_end(self, w: FaultWindow, now: datetime) -> None:
        """One event per window's end, at its end, however this dashboard learns of it: a
        window it saw end, or one already ended in the first snapshot (ended before the
        start, or by the start-up reconcile round: no transition is seen). Said again in
        place when a later snapshot says more (the reconciler wrote why: "ended on time")."""
        text = window_text(w, WindowState.ENDED)
        if self._ended.get(w.id) == text:
            return
        self._ended[w.id] = text
        key = window_key(w.id, "end")
        event = Event(window_time(w, WindowState.ENDED, now), "fault", text, key)
        for i, e in enumerate(self.events):  # only when its end is new, or now says why
            if e.key == key:
                self.events[i] = event
                return
        self.events.append(event)

    def _observe_release(self, snap: ReleaseSnapshot, now: datetime) -> None:
        # a finished cut can be both `current` and the first of `recent`: one event
        runs = {r.id: r for r in (snap.current, *snap.recent) if r is not None}.values()
        current = {r.id: r.status.value for r in runs}
        if self._runs is not None:
            for r in runs:
                if self._runs.get(r.id) != current[r.id]:
                    at = happened(r.finished_at or r.started_at, now)
                    self.note(at, "release", f"{r.version} {r.status.value}")
        self._runs = current
        # every one the source lists: a manual one still running when an automatic one
        # starts has its outcome noted too
        rehearsals = snap.rehearsals or ((snap.rehearsal,) if snap.rehearsal else ())
        if not rehearsals:
            return
        seen = {reh.run_id: reh.status.value for reh in rehearsals}
        if self._rehearsals is not None:
            for reh in sorted(rehearsals, key=lambda reh: reh.started_at or now):
                if self._rehearsals.get(reh.run_id) != seen[reh.run_id]:
                    at = happened(reh.finished_at or reh.started_at, now)
                    self.note(at, "rehearsal", rehearsal_text(reh))
        self._rehearsals = seen

    def observe_alerts(self, alerts: Iterable[Alert], now: datetime) -> None:
        """Alerts raised and cleared since the last look (backends/timeline_alerts.py)."""
        self.alerts.observe(alerts, now)

    def newest_first(self) -> list[Event]:
        """Live events and the audit trail's, newest first; a trail record of something
        also seen live is left out (the live event has what the dashboard saw)."""
        seen = {e.key for e in self.events if e.key}
        earlier = [e for e in self.history.values() if not (e.key and e.key in seen)]
        merged = sorted([*earlier, *self.events], key=lambda e: e.at)  # stable
        return merged[::-1]
