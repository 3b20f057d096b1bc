"""The plan's alerts, derived from snapshots by pure functions (no I/O, no UI).

`derive` looks at the latest snapshot of each pane; `AlertBook` remembers when each alert
was first raised, so the strip can show it newest first with a stable time. Only fresh
data is judged. A pane whose source is down (error, stale) has its source-down alert; one
with no data (a dead publisher, a quiet topic) has its no-data alert once that has lasted
NO_DATA_GRACE (backends/alert_sources.py). Neither's last counts say anything about now:
what its alerts were when it last had data is held (`AlertBook.derive`), marked "(no data
since ...)", neither raised nor cleared on that stale data; their figures are those the
pane shows (a late answer, counts frozen when the link dropped), or they say from when
("(as of ...)"). The no-data alert is dated from the last data, as the pane says it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from backends.access_spike import spike_threshold as spike_threshold  # for the UI
from backends.alert_acks import Ack
from backends.alert_episodes import EPISODE_GAP, Episode
from backends.alert_rules import data_alerts as data_alerts  # the release pane's too
from backends.alert_rules import faults_alerts
from backends.alert_sources import NO_DATA_GRACE as NO_DATA_GRACE
from backends.alert_sources import (
    down_alert,
    is_down,
    is_live,
    no_data_alert,
    no_data_since,
    no_data_since_when,
    source_key,
    warning_alerts,
)
from backends.alert_sources import short_message as short_message  # for the strip
from backends.models import (
    Alert,
    AlertKind,
    FaultsSnapshot,
    GrantsSnapshot,
    HealthState,
    Snapshot,
)

# A p99.9 that crosses its line for a poll or two is noise on a tired night: these alerts
# show only once their condition has held this long (Prometheus's `for:`), and a dip
# back under the line starts the wait again. The time shown is when it began.
# Acks the audit trail has of alerts not listed (now): kept, as an alert they are for may
# be listed yet (its pane's first data, a restart's episode), but at most this many. The
# grants poll hands on every ack of its last 10 minutes, one of an alert that cleared too:
# without a bound, a dashboard open for a shift kept one per alert acknowledged, for good.
MAX_TRAIL_ACKS = 500
HOLD = {
    AlertKind.P999_OVER_SLO: timedelta(seconds=30),
    AlertKind.P999_REGRESSION: timedelta(seconds=30),
}


def derive(
    snaps: Mapping[str, Snapshot | None],
    now: datetime,
    baselines: Mapping[str, float] | None = None,
) -> list[Alert]:
    """The alerts of the latest snapshots, as one look sees them (`watchfloor snapshot`):
    a pane's with fresh data; a source-down alert for one that is down. Without a history
    there is no telling how long a source has had no data, nor what its alerts were."""
    alerts: list[Alert] = []
    for pane, snap in snaps.items():
        if snap is None:
            continue
        alerts += warning_alerts(pane, snap, now)
        if is_live(snap, now):
            alerts += data_alerts(snap, now, baselines)
            continue
        if is_down(snap, now):
            alerts.append(down_alert(pane, snap, now))
        if isinstance(snap, FaultsSnapshot):
            # a leak: a window applied when last seen whose end has passed may well still
            # be in (what would take it out cannot reach the mesh either)
            alerts += faults_alerts(snap, now)
    return alerts


class AlertBook:
    """Current alerts with the time each was first raised: unacknowledged first, critical
    before warning within them, then newest first (the strip shows the top three, so a
    critical alert is never behind "+N more" warnings). An acknowledged alert stays listed
    (dimmed) until its condition clears; if it clears and comes back, it is new again.
    An alert of a kind in HOLD is listed only once its condition has held that long.

    An alert in a pane's first data was there when this dashboard started: unless its data
    says when it began, it is dated then and marked so (`raised_from` "start"), or, going
    on since before a restart (`restore`, backends/alert_episodes.py), from its episode's
    start ("kept"). Acks are audited (backends/alert_acks.py): `claim` one, `confirm` it
    once its request is in the audit trail (or `release` it); `add_trail` restores those
    the trail has of alerts still listed with the same key and since: read at start, and
    those made since, another dashboard's too, as a grants snapshot carries them
    (GrantsSnapshot.acks, the local store's poll of the trail's new records)."""

    def __init__(self) -> None:
        self._first: dict[str, tuple[datetime, str]] = {}  # when raised, and from what
        self._acks: dict[str, Ack] = {}
        self._claimed: set[str] = set()  # an ack on its way to the audit trail
        self._trail: dict[tuple[str, datetime], Ack] = {}  # from the audit trail
        self._current: list[Alert] = []
        # per pane, its alerts when it last had data, and the time of their figures
        self._held: dict[str, list[tuple[Alert, datetime]]] = {}
        self._data_at: dict[str, datetime] = {}  # per pane, when (or first seen without)
        self._panes: set[str] = set()  # the panes whose data has been judged
        # per alert key: whose, what, and when last seen going on (not only held)
        self._seen: dict[str, tuple[str, AlertKind, datetime]] = {}
        self._episodes: dict[str, Episode] = {}  # from before this start, not yet settled

    def restore(self, episodes: Mapping[str, Episode]) -> None:
        """Episodes going on when this dashboard started (backends/alert_episodes.py): an
        alert with the same key carries on from its start, unless fresh data of its pane
        says first that it is over, or it was last seen longer than EPISODE_GAP ago."""
        self._episodes = dict(episodes)

    def episodes(self) -> dict[str, Episode]:
        """The alerts going on (listed, or holding) not dated by their data, to keep."""
        out = {}
        for key, (first, since) in self._first.items():
            if since != "data" and key in self._seen:
                pane, kind, seen_at = self._seen[key]
                out[key] = Episode(kind=kind.value, since=first, seen_at=seen_at, pane=pane)
        return out

    def derive(
        self,
        snaps: Mapping[str, Snapshot | None],
        now: datetime,
        baselines: Mapping[str, float] | None = None,
    ) -> list[Alert]:
        """`derive`, and more: a pane without fresh data holds its alerts as they were when
        it last had some, marked so (a publisher or broker that dies mid-spike neither
        clears the spike nor raises one), and one with no data for NO_DATA_GRACE is an
        alert. Those of a pane's first data, not dated by it, were there at start."""
        gap = EPISODE_GAP
        self._episodes = {k: e for k, e in self._episodes.items() if now - e.seen_at <= gap}
        out: list[Alert] = []
        for pane, snap in snaps.items():
            if snap is None:  # none yet (start, a profile switch): nothing to hold
                self._held.pop(pane, None)
                self._data_at.pop(pane, None)
                continue
            if isinstance(snap, GrantsSnapshot):  # acks made lately, another's too
                self.add_trail({(a.key, a.since): Ack(a.actor, a.at) for a in snap.acks})
            found = self._fresh(pane, warning_alerts(pane, snap, now), now)
            found += self._judge(pane, snap, now, baselines)
            first = pane not in self._panes
            self._panes.add(pane)
            out += [self._dated(a, first) for a in found]
        return out

    def _judge(
        self, pane: str, snap: Snapshot, now: datetime, baselines: Mapping[str, float] | None
    ) -> list[Alert]:
        if is_live(snap, now):
            at = min(snap.observed_at, now)
            mine = self._fresh(pane, data_alerts(snap, now, baselines), now)
            self._held[pane], self._data_at[pane] = [(a, at) for a in mine], at
            keys = {a.key for a in mine}  # an episode of this pane not in fresh data is over
            self._episodes = {
                k: e for k, e in self._episodes.items() if e.pane != pane or k in keys
            }
            return mine
        key = source_key(pane)
        ep = self._episodes.get(key)  # its source's: since then, as far as is known
        since = self._data_at.setdefault(pane, now if ep is None else min(ep.since, now))
        since = no_data_since_when(snap) or since  # what its pane says, if it says
        fresh = []
        if is_down(snap, now):
            fresh.append(down_alert(pane, snap, now))
        elif now - since >= NO_DATA_GRACE or key in self._first or key in self._episodes:
            fresh.append(no_data_alert(pane, snap, now, since))  # or goes on from down
        if isinstance(snap, FaultsSnapshot):
            # a leak: a window applied when last seen whose end has passed may well still
            # be in (what would take it out cannot reach the mesh either)
            return self._fresh(pane, fresh + faults_alerts(snap, now), now)
        shown = self._refigured(pane, snap, now, baselines)
        held = [no_data_since(a, at, newer=shown > at) for a, at in self._held.get(pane, [])]
        return self._fresh(pane, fresh, now) + held

    def _refigured(
        self, pane: str, snap: Snapshot, now: datetime, baselines: Mapping[str, float] | None
    ) -> datetime:
        """The time of the figures the pane shows (its stale data, or the last it had),
        and the kept alerts' figures brought up to them where that data still says them:
        an alert kept from before the data stopped never says another number than the
        pane for the same time (a late answer, counts frozen when a broker dropped)."""
        kept = self._held.get(pane, [])
        last_ok = snap.health.last_ok_at
        if snap.health.state is HealthState.NO_DATA or last_ok is None:
            return max((at for _, at in kept), default=now)  # nothing shown but "no data"
        shown = min(snap.observed_at, last_ok, now)
        again = {a.key: a for a in data_alerts(snap, now, baselines)}
        self._held[pane] = [
            (again[a.key], shown) if a.key in again and shown >= at else (a, at) for a, at in kept
        ]
        return shown

    def _fresh(self, pane: str, alerts: list[Alert], now: datetime) -> list[Alert]:
        for a in alerts:
            self._seen[a.key] = (pane, a.kind, now)
        return alerts

    def _dated(self, a: Alert, first_data: bool) -> Alert:
        """A new alert not dated by its data: going on since before this dashboard started
        ("kept"), there at start ("start"), or seen now."""
        if a.raised_from == "data" or a.key in self._first:
            return a
        ep = self._episodes.pop(a.key, None)
        if ep is not None:
            return a.model_copy(
                update={
                    "raised_at": min(ep.since.astimezone(UTC), a.raised_at),
                    "raised_from": "kept",
                }
            )
        return a.model_copy(update={"raised_from": "start"}) if first_data else a

    def update(self, alerts: list[Alert], now: datetime) -> list[Alert]:
        live = {a.key for a in alerts}
        for key in [k for k in self._first if k not in live]:
            del self._first[key]  # cleared: if it comes back, it is a new alert
            self._acks.pop(key, None)
            self._seen.pop(key, None)
            self._trail = {k: v for k, v in self._trail.items() if k[0] != key}
        out = []
        for a in alerts:
            first, since = self._first.setdefault(a.key, (a.raised_at, a.raised_from))
            if now - first < HOLD.get(a.kind, timedelta(0)):
                continue
            ack = self._acks.get(a.key)
            if ack is None and (a.key, first) in self._trail:  # its key and since
                ack = self._acks[a.key] = self._trail[(a.key, first)]
            shown = {"raised_at": first, "raised_from": since, "acknowledged": ack is not None}
            if ack is not None:
                shown |= {"acked_by": ack.by, "acked_at": ack.at}
            out.append(a.model_copy(update=shown))
        out.sort(key=lambda a: (a.raised_at, a.key), reverse=True)
        # stable: newest first within each group
        out.sort(key=lambda a: (a.acknowledged, a.severity != "critical"))
        self._current = out
        return out

    def add_trail(self, acks: Mapping[tuple[str, datetime], Ack]) -> None:
        """Acks the audit trail records (backends/alert_acks.py's trail_acks), shown from
        the next `update` on alerts listed with that key and since."""
        for k, ack in acks.items():
            self._trail.setdefault(k, ack)
        over = len(self._trail) - MAX_TRAIL_ACKS
        if over > 0:  # the oldest acks of alerts not listed go first
            idle = [k for k in self._trail if k[0] not in self._first]
            idle.sort(key=lambda k: self._trail[k].at)
            for k in idle[:over]:
                del self._trail[k]

    def claim(self, key: str) -> Alert | None:
        """The listed alert with this key (the one under a cursor), to acknowledge; None
        when it is no longer listed, acknowledged already, or being acknowledged."""
        target = next((a for a in self._current if a.key == key), None)
        if target is None or key in self._acks or key in self._claimed:
            return None
        self._claimed.add(key)
        return target

    def why_not(self, key: str) -> str:
        """Why `claim(key)` gave None, in words for a toast."""
        if key in self._claimed:
            return "Being acknowledged: it shows ✓ack once the audit trail has it"
        if key in self._acks and any(a.key == key for a in self._current):
            return f"Already acknowledged, by {self._acks[key].by}"
        return "No longer firing: nothing to acknowledge"

    def claim_newest(self) -> Alert | None:
        """The top alert not acknowledged nor being acknowledged (the first the strip shows:
        critical, then newest), to acknowledge; None if there is none."""
        busy = self._acks.keys() | self._claimed
        target = next((a for a in self._current if a.key not in busy), None)
        if target is not None:
            self._claimed.add(target.key)
        return target

    def confirm(self, key: str, ack: Ack) -> None:
        """The claimed ack is in the audit trail: acknowledged (shown at the next update)."""
        self._claimed.discard(key)
        if key in self._first:  # not if it cleared meanwhile: back, it is a new alert
            self._acks[key] = ack

    def release(self, key: str) -> None:
        """The claimed ack was refused, or failed: the alert can be acknowledged again."""
        self._claimed.discard(key)
        self._acks.pop(key, None)  # confirmed, but its outcome could not be audited
