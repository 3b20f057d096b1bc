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

from backends.access_spike import is_spike
from backends.access_spike import spike_threshold as spike_threshold  # for the UI
from backends.faults_core import ended_at
from backends.models import (
    AccessSnapshot,
    Alert,
    AlertKind,
    FaultsSnapshot,
    GrantsSnapshot,
    HealthState,
    LatencySnapshot,
    ReleaseSnapshot,
    Snapshot,
    StageStatus,
    WindowState,
)

PROTECTED_NAMESPACES = frozenset({"prod", "production", "kube-system", "istio-system"})
REGRESSION = 1.10
# A grant is "expired, still active" only when its source still listed it this long after
# its expiry: time for a reaper's next pass and for clock skew between the two machines.
EXPIRY_GRACE = timedelta(seconds=5)
# A p99.9 that crosses its line for a poll or two is noise on a tired night: these alerts
# show only once their condition has held this long (Prometheus's `for:`), and a dip
# back under the line starts the wait again. The time shown is when it began.
HOLD = {
    AlertKind.P999_OVER_SLO: timedelta(seconds=30),
    AlertKind.P999_REGRESSION: timedelta(seconds=30),
}


def _access(s: AccessSnapshot, now: datetime) -> list[Alert]:
    """The same rule as the pane and backends.access_spike: above max(15 %, 2x baseline)."""
    if not is_spike(s.total, s.deny_rate, s.baseline_rate):
        return []
    top = next((r for r in s.rows if r.total >= 10), None)
    rate = f"{s.deny_rate:.1%}" + (" sampled" if s.sampled else "")
    base = f"baseline {s.baseline_rate:.1%}"
    # the worst key first: at 80 columns the strip cuts the end of a message off
    message = (
        f"{top.dimension}={top.value} {top.rate:.0%} (all {rate}, {base})"
        if top is not None
        else f"deny rate {rate} ({base})"
    )
    return [
        Alert(
            kind=AlertKind.DENY_SPIKE,
            key="access",
            severity="critical",
            raised_at=now,
            message=message,
        )
    ]


def _grants(s: GrantsSnapshot, now: datetime) -> list[Alert]:
    """Judged at the snapshot's own time, not the clock's: between two polls a grant runs
    out on the clock before its source has been asked again, and the next poll usually
    shows it gone. Only a grant the source still listed after its expiry is stuck."""
    seen = min(s.observed_at, now) - EXPIRY_GRACE
    return [
        Alert(
            kind=AlertKind.TTL_EXPIRED_ACTIVE,
            key=f"grant:{g.id}",
            severity="critical",
            raised_at=now,
            message=f"{g.subject} still holds {g.role}, expired {g.expires_at:%H:%M:%S}Z",
        )
        for g in s.grants
        if g.expired(seen)
    ]


def _release(s: ReleaseSnapshot, now: datetime) -> list[Alert]:
    reh = s.rehearsal
    out = []
    if reh is not None and reh.status is StageStatus.FAILURE:
        out.append(
            Alert(
                kind=AlertKind.RELEASE_FAILURE,
                key=f"rehearsal:{reh.run_id}",
                raised_at=now,
                message=f"rollback rehearsal {reh.run_id} failed",
            )
        )
    runs = [r for r in (s.current, *s.recent) if r is not None]
    done = (StageStatus.SUCCESS, StageStatus.FAILURE, StageStatus.SKIPPED)
    latest = next((r for r in runs if r.status in done), None)
    if latest is None or latest.status is not StageStatus.FAILURE:
        return out
    failed = next((st.name for st in latest.stages if st.status is StageStatus.FAILURE), "?")
    return [
        *out,
        Alert(
            kind=AlertKind.RELEASE_FAILURE,
            key=f"release:{latest.id}",
            raised_at=now,
            message=f"{latest.version} failed at {failed!r}",
        ),
    ]


def _latency(s: LatencySnapshot, now: datetime, baselines: Mapping[str, float]) -> list[Alert]:
    out = []
    for r in s.routes:
        if r.p999_ms is not None and r.p999_ms > r.slo_ms:
            out.append(
                Alert(
                    kind=AlertKind.P999_OVER_SLO,
                    key=f"slo:{r.route}",
                    raised_at=now,
                    message=f"{r.route} {'> ' if r.above_last_bucket else ''}"
                    f"{r.p999_ms:.0f} ms, SLO {r.slo_ms:.0f} ms ({r.p999_ms / r.slo_ms - 1:+.0%})",
                )
            )
        base = baselines.get(r.route)
        if base is None or r.p999_ms is None or r.p999_ms <= base * REGRESSION:
            continue
        out.append(
            Alert(
                kind=AlertKind.P999_REGRESSION,
                key=f"p999:{r.route}",
                raised_at=now,
                message=f"{r.route} p99.9 {'> ' if r.above_last_bucket else ''}"
                f"{r.p999_ms:.0f} ms, {r.p999_ms / base - 1:+.0%} vs baseline {base:.0f} ms",
            )
        )
    return out


def _faults(s: FaultsSnapshot, now: datetime) -> list[Alert]:
    out = []
    for w in s.windows:
        state = w.state(now)
        end = ended_at(w)
        if w.spec.namespace in PROTECTED_NAMESPACES and (w.applied or state is WindowState.ACTIVE):
            why = f"seen in protected namespace {w.spec.namespace}"
        elif state is WindowState.ENDED and w.applied and now - end > timedelta(seconds=5):
            why = f"still applied {int((now - end).total_seconds())} s past its end"
        else:
            continue
        out.append(
            Alert(
                kind=AlertKind.FAULT_LEAK,
                key=f"fault:{w.id}",
                severity="critical",
                raised_at=now,
                message=f"{w.spec.namespace}/{w.spec.target_host} {why}",
            )
        )
    return out


def source_down(snap: Snapshot, now: datetime) -> bool:
    return snap.health.effective_state(now) in (HealthState.ERROR, HealthState.STALE)


def data_alerts(
    snap: Snapshot, now: datetime, baselines: Mapping[str, float] | None = None
) -> list[Alert]:
    """What a pane's own data says, whether or not its source is still answering."""
    if isinstance(snap, AccessSnapshot):
        return _access(snap, now)
    if isinstance(snap, GrantsSnapshot):
        return _grants(snap, now)
    if isinstance(snap, ReleaseSnapshot):
        return _release(snap, now)
    if isinstance(snap, LatencySnapshot):
        return _latency(snap, now, baselines or {})
    if isinstance(snap, FaultsSnapshot):
        return _faults(snap, now)
    return []


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
                alerts += _faults(snap, now)
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
    An alert of a kind in HOLD is listed only once its condition has held that long."""

    def __init__(self) -> None:
        self._first: dict[str, datetime] = {}
        self._acked: set[str] = set()
        self._current: list[Alert] = []
        self._held: dict[str, list[Alert]] = {}  # per pane, when its source last answered

    def derive(
        self,
        snaps: Mapping[str, Snapshot | None],
        now: datetime,
        baselines: Mapping[str, float] | None = None,
    ) -> list[Alert]:
        """`derive`, holding a down source's pane alerts as they were when it last
        answered: a broker that dies mid-spike neither clears the spike nor raises one."""
        return derive(snaps, now, baselines, held=self._held)

    def update(self, alerts: list[Alert], now: datetime) -> list[Alert]:
        live = {a.key for a in alerts}
        for key in list(self._first):
            if key not in live:
                del self._first[key]
        self._acked &= live
        out = []
        for a in alerts:
            first = self._first.setdefault(a.key, a.raised_at)
            if now - first < HOLD.get(a.kind, timedelta(0)):
                continue
            out.append(
                a.model_copy(update={"raised_at": first, "acknowledged": a.key in self._acked})
            )
        out.sort(key=lambda a: (a.raised_at, a.key), reverse=True)
        # stable: newest first within each group
        out.sort(key=lambda a: (a.acknowledged, a.severity != "critical"))
        self._current = out
        return out

    def acknowledge(self, key: str) -> Alert | None:
        """Acknowledge the listed alert with this key (the one under a cursor); returns it,
        or None when it is no longer listed or was acknowledged already."""
        target = next((a for a in self._current if a.key == key), None)
        if target is None or key in self._acked:
            return None
        self._acked.add(key)
        return target

    def acknowledge_newest(self) -> Alert | None:
        """Acknowledge the top unacknowledged alert (the first the strip shows: critical,
        then newest); returns it (None if there is none)."""
        target = next((a for a in self._current if a.key not in self._acked), None)
        if target is not None:
            self._acked.add(target.key)
        return target
