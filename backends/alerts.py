"""The plan's alerts, derived from snapshots by pure functions (no I/O, no UI).

`derive` looks at the latest snapshot of each pane; `AlertBook` remembers when each alert
was first raised, so the strip can show it newest first with a stable time. A pane whose
source is down (error, stale) has its source-down alert, and its data is not judged: a
pane's last counts say nothing about now, so what its alerts were when its source last
answered is held (`AlertBook.derive`), neither raised nor cleared on that stale data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from backends.access_spike import spike_threshold as spike_threshold  # for the UI
from backends.alert_acks import Ack
from backends.alert_rules import data_alerts as data_alerts  # the release pane's too
from backends.alert_rules import faults_alerts
from backends.models import (
    Alert,
    AlertKind,
    FaultsSnapshot,
    HealthState,
    Snapshot,
)

# A p99.9 that crosses its line for a poll or two is noise on a tired night: these alerts
# show only once their condition has held this long (Prometheus's `for:`), and a dip
# back under the line starts the wait again. The time shown is when it began.
HOLD = {
    AlertKind.P999_OVER_SLO: timedelta(seconds=30),
    AlertKind.P999_REGRESSION: timedelta(seconds=30),
}


def source_down(snap: Snapshot, now: datetime) -> bool:
    return snap.health.effective_state(now) in (HealthState.ERROR, HealthState.STALE)


def derive(
    snaps: Mapping[str, Snapshot | None],
    now: datetime,
    baselines: Mapping[str, float] | None = None,
    *,
    held: dict[str, list[Alert]] | None = None,
) -> list[Alert]:
    """The alerts of the latest snapshots. A pane whose source is down gets a source-down
    alert instead of alerts from its stale data: those in `held` (its alerts when its
    source last answered, kept there for each pane that is up), or none without it."""
    alerts: list[Alert] = []
    for pane, snap in snaps.items():
        if snap is None:
            continue
        if source_down(snap, now):
            alerts.append(
                Alert(
                    kind=AlertKind.SOURCE_DOWN,
                    key=f"source:{pane}",
                    raised_at=now,
                    message=f"{pane} ({snap.source}): {snap.health.last_error or 'no fresh data'}",
                )
            )
            if isinstance(snap, FaultsSnapshot):
                # except a leak: a window applied when last seen whose end has passed may
                # well still be in (what would take it out cannot reach the mesh either)
                alerts += faults_alerts(snap, now)
            else:
                alerts += held.get(pane, []) if held is not None else []
            continue
        mine = data_alerts(snap, now, baselines)
        if held is not None:
            held[pane] = mine
        alerts += mine
    return alerts


class AlertBook:
    """Current alerts with the time each was first raised: unacknowledged first, critical
    before warning within them, then newest first (the strip shows the top three, so a
    critical alert is never behind "+N more" warnings). An acknowledged alert stays listed
    (dimmed) until its condition clears; if it clears and comes back, it is new again.
    An alert of a kind in HOLD is listed only once its condition has held that long.

    An alert in a pane's first data was there when this dashboard started: unless its data
    says when it began, it is dated then and marked so (`raised_from` "start"). Acks are
    audited (backends/alert_acks.py): `claim` one, `confirm` it once its request is in the
    audit trail (or `release` it); `add_trail` restores those the trail has of alerts
    still listed with the same key and since."""

    def __init__(self) -> None:
        self._first: dict[str, tuple[datetime, str]] = {}  # when raised, and from what
        self._acks: dict[str, Ack] = {}
        self._claimed: set[str] = set()  # an ack on its way to the audit trail
        self._trail: dict[tuple[str, datetime], Ack] = {}  # from the audit trail
        self._current: list[Alert] = []
        self._held: dict[str, list[Alert]] = {}  # per pane, when its source last answered
        self._panes: set[str] = set()  # the panes whose data has been judged

    def derive(
        self,
        snaps: Mapping[str, Snapshot | None],
        now: datetime,
        baselines: Mapping[str, float] | None = None,
    ) -> list[Alert]:
        """`derive`, holding a down source's pane alerts as they were when it last
        answered: a broker that dies mid-spike neither clears the spike nor raises one.
        Those of a pane's first data, not dated by it, were there at start."""
        out: list[Alert] = []
        for pane, snap in snaps.items():
            found = derive({pane: snap}, now, baselines, held=self._held)
            if snap is not None and pane not in self._panes:
                self._panes.add(pane)
                found = [
                    a if a.raised_from == "data" else a.model_copy(update={"raised_from": "start"})
                    for a in found
                ]
            out += found
        return out

    def update(self, alerts: list[Alert], now: datetime) -> list[Alert]:
        live = {a.key for a in alerts}
        for key in [k for k in self._first if k not in live]:
            del self._first[key]  # cleared: if it comes back, it is a new alert
            self._acks.pop(key, None)
            self._trail = {k: v for k, v in self._trail.items() if k[0] != key}
        out = []
        for a in alerts:
            first, since = self._first.setdefault(a.key, (a.raised_at, a.raised_from))
            if now - first < HOLD.get(a.kind, timedelta(0)):
                continue
            ack = self._acks.get(a.key)
            if ack is None and since == "data" and (a.key, first) in self._trail:
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

    def claim(self, key: str) -> Alert | None:
        """The listed alert with this key (the one under a cursor), to acknowledge; None
        when it is no longer listed, acknowledged already, or being acknowledged."""
        target = next((a for a in self._current if a.key == key), None)
        if target is None or key in self._acks or key in self._claimed:
            return None
        self._claimed.add(key)
        return target

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
