"""The plan's alerts, derived from snapshots by pure functions (no I/O, no UI).

`derive` looks at the latest snapshot of each pane; `AlertBook` remembers when each alert
was first raised, so the strip can show it newest first with a stable time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

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
SPIKE_FACTOR = 2.0
SPIKE_MIN_RATE = 0.15
SPIKE_MIN_DECISIONS = 50
REGRESSION = 1.10


def _access(s: AccessSnapshot, now: datetime) -> list[Alert]:
    threshold = max(SPIKE_MIN_RATE, SPIKE_FACTOR * s.baseline_rate)
    if s.total < SPIKE_MIN_DECISIONS or s.deny_rate <= threshold:
        return []
    top = next((r for r in s.rows if r.total >= 10), None)
    where = f"; worst {r.dimension}={r.value} {r.rate:.0%}" if (r := top) else ""
    return [
        Alert(
            kind=AlertKind.DENY_SPIKE,
            key="access",
            severity="critical",
            raised_at=now,
            message=f"deny rate {s.deny_rate:.1%} vs baseline {s.baseline_rate:.1%}{where}",
        )
    ]


def _grants(s: GrantsSnapshot, now: datetime) -> list[Alert]:
    return [
        Alert(
            kind=AlertKind.TTL_EXPIRED_ACTIVE,
            key=f"grant:{g.id}",
            severity="critical",
            raised_at=now,
            message=f"{g.subject} still holds {g.role}, expired {g.expires_at:%H:%M:%S}Z",
        )
        for g in s.grants
        if g.expired(now)
    ]


def _release(s: ReleaseSnapshot, now: datetime) -> list[Alert]:
    runs = [r for r in (s.current, *s.recent) if r is not None]
    latest = next((r for r in runs if r.status is not StageStatus.RUNNING), None)
    if latest is None or latest.status is not StageStatus.FAILURE:
        return []
    failed = next((st.name for st in latest.stages if st.status is StageStatus.FAILURE), "?")
    return [
        Alert(
            kind=AlertKind.RELEASE_FAILURE,
            key=f"release:{latest.id}",
            raised_at=now,
            message=f"{latest.version} failed at {failed!r}",
        )
    ]


def _latency(s: LatencySnapshot, now: datetime, baselines: Mapping[str, float]) -> list[Alert]:
    out = []
    for r in s.routes:
        base = baselines.get(r.route)
        if base is None or r.p999_ms is None or r.p999_ms <= base * REGRESSION:
            continue
        out.append(
            Alert(
                kind=AlertKind.P999_REGRESSION,
                key=f"p999:{r.route}",
                raised_at=now,
                message=f"{r.route} p99.9 {r.p999_ms:.0f} ms, {r.p999_ms / base - 1:+.0%}"
                f" vs baseline {base:.0f} ms",
            )
        )
    return out


def _faults(s: FaultsSnapshot, now: datetime) -> list[Alert]:
    out = []
    for w in s.windows:
        state = w.state(now)
        if state is WindowState.ACTIVE and w.spec.namespace in PROTECTED_NAMESPACES:
            why = f"active in protected namespace {w.spec.namespace}"
        elif (
            state is WindowState.ENDED
            and w.ended_early_at is None
            and now - w.ends_at > timedelta(seconds=5)
            and w.applied
        ):
            why = f"still applied {int((now - w.ends_at).total_seconds())} s past its end"
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


def derive(
    snaps: Mapping[str, Snapshot | None],
    now: datetime,
    baselines: Mapping[str, float] | None = None,
) -> list[Alert]:
    alerts: list[Alert] = []
    for pane, snap in snaps.items():
        if snap is None:
            continue
        if snap.health.effective_state(now) in (HealthState.ERROR, HealthState.STALE):
            alerts.append(
                Alert(
                    kind=AlertKind.SOURCE_DOWN,
                    key=f"source:{pane}",
                    raised_at=now,
                    message=f"{pane} ({snap.source}): {snap.health.last_error or 'no fresh data'}",
                )
            )
        if isinstance(snap, AccessSnapshot):
            alerts += _access(snap, now)
        elif isinstance(snap, GrantsSnapshot):
            alerts += _grants(snap, now)
        elif isinstance(snap, ReleaseSnapshot):
            alerts += _release(snap, now)
        elif isinstance(snap, LatencySnapshot):
            alerts += _latency(snap, now, baselines or {})
        elif isinstance(snap, FaultsSnapshot):
            alerts += _faults(snap, now)
    return alerts


class AlertBook:
    """Current alerts with the time each was first raised; newest first."""

    def __init__(self) -> None:
        self._first: dict[str, datetime] = {}

    def update(self, alerts: list[Alert]) -> list[Alert]:
        live = {a.key for a in alerts}
        for key in list(self._first):
            if key not in live:
                del self._first[key]
        out = []
        for a in alerts:
            first = self._first.setdefault(a.key, a.raised_at)
            out.append(a.model_copy(update={"raised_at": first}))
        return sorted(out, key=lambda a: (a.raised_at, a.key), reverse=True)
