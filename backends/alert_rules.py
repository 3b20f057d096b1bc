"""What one pane's data says is wrong: the plan's alert rules, pure functions of a snapshot.

Each alert is dated from the data where the data says when it began (`raised_from`
"data"): a cut's failure, a grant's expiry, a fault window's start or end. Every dashboard
on the same data then says the same time, and a restarted one does not date a failure
from before it started at its own start. Otherwise it is dated `now`, when it was seen
(backends/alerts.py's AlertBook keeps the first time, and marks what was there at start).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from backends.access_spike import is_spike
from backends.durations import latency
from backends.faults_core import ended_at
from backends.models import (
    AccessSnapshot,
    Alert,
    AlertKind,
    FaultsSnapshot,
    FaultWindow,
    GrantsSnapshot,
    LatencySnapshot,
    ReleaseRun,
    ReleaseSnapshot,
    Snapshot,
    StageStatus,
    WindowState,
    worst_first,
)
from backends.timeline_words import vanished_text

PROTECTED_NAMESPACES = frozenset({"prod", "production", "kube-system", "istio-system"})
REGRESSION = 1.10
# A grant is "expired, still active" only when its source still listed it this long after
# its expiry: time for a reaper's next pass and for clock skew between the two machines.
EXPIRY_GRACE = timedelta(seconds=5)


def dated(alert: Alert, at: datetime | None, now: datetime) -> Alert:
    """`alert` dated when the data says it began (never after `now`); as seen, without."""
    if at is None:
        return alert
    return alert.model_copy(update={"raised_at": min(at, now), "raised_from": "data"})


def _access(s: AccessSnapshot, now: datetime) -> list[Alert]:
    """The same rule as the pane and backends.access_spike: above max(15 %, 2x baseline)."""
    if not is_spike(s.total, s.deny_rate, s.baseline_rate):
        return []
    # the worst row with enough decisions to say anything, in whatever order they came
    top = next((r for r in worst_first(s.rows) if r.total >= 10), None)
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
    shows it gone. Only a grant the source still listed after its expiry is stuck: since
    its expiry. A grant not as the audit trail records it (edited or inserted in the
    store by hand: `audit_problem`) is critical too, as seen; one gone, a warning."""
    seen = min(s.observed_at, now) - EXPIRY_GRACE
    stuck = [
        dated(
            Alert(
                kind=AlertKind.TTL_EXPIRED_ACTIVE,
                key=f"grant:{g.id}",
                severity="critical",
                raised_at=now,
                message=f"{g.subject} still holds {g.role}, expired {g.expires_at:%H:%M:%S}Z",
            ),
            g.expires_at,
            now,
        )
        for g in s.grants
        if g.expired(seen)
    ]
    unaudited = [
        Alert(
            kind=AlertKind.GRANT_UNAUDITED,
            key=f"grant-audit:{g.id}",
            severity="critical",
            raised_at=now,
            message=f"{g.subject} holds {g.role}: {g.audit_problem} (granted by {g.granted_by})",
        )
        for g in s.grants
        if g.audit_problem  # its source says it is not as the audit trail records it
    ]
    return stuck + unaudited + _vanished(s, now)


def _vanished(s: GrantsSnapshot, now: datetime) -> list[Alert]:
    """A grant gone from the list before its expiry with no revoke on record (OPA restarted
    and lost its data; deleted by hand): its holder lost it and nobody says why. From when
    it went until the expiry it would have had."""
    return [
        dated(
            Alert(
                kind=AlertKind.GRANT_VANISHED,
                key=f"grant-gone:{e.id}",
                raised_at=now,
                message=f"{e.role} for {e.subject}: {vanished_text(e, s.source)}",
            ),
            e.at,
            now,
        )
        for e in s.ended
        if e.how == "unlisted" and e.expires_at is not None and now < e.expires_at
    ]


def _failed_at(run: ReleaseRun) -> datetime | None:
    """When a failed cut failed: its end, or its failed stage's."""
    failed = (st.finished_at for st in run.stages if st.status is StageStatus.FAILURE)
    return run.finished_at or next(failed, None)


def _release(s: ReleaseSnapshot, now: datetime) -> list[Alert]:
    reh = s.rehearsal
    out = []
    if reh is not None and reh.status is StageStatus.FAILURE:
        out.append(
            dated(
                Alert(
                    kind=AlertKind.RELEASE_FAILURE,
                    key=f"rehearsal:{reh.run_id}",
                    raised_at=now,
                    message=f"rollback rehearsal {reh.run_id} failed",
                ),
                reh.finished_at,
                now,
            )
        )
    runs = [r for r in (s.current, *s.recent) if r is not None]
    done = (StageStatus.SUCCESS, StageStatus.FAILURE, StageStatus.SKIPPED)
    latest = next((r for r in runs if r.status in done), None)
    if latest is None or latest.status is not StageStatus.FAILURE:
        return out
    failed = next((st.name for st in latest.stages if st.status is StageStatus.FAILURE), "?")
    alert = Alert(
        kind=AlertKind.RELEASE_FAILURE,
        key=f"release:{latest.id}",
        raised_at=now,
        message=f"{latest.version} failed at {failed!r}",
    )
    return [*out, dated(alert, _failed_at(latest), now)]


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
                    f"{latency(r.p999_ms)}, SLO {latency(r.slo_ms)}"
                    f" ({r.p999_ms / r.slo_ms - 1:+.0%})",
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
                f"{latency(r.p999_ms)}, {r.p999_ms / base - 1:+.0%} vs baseline {latency(base)}",
            )
        )
    return out


def _leak(w: FaultWindow, now: datetime) -> tuple[str, datetime | None] | None:
    """Why `w` leaks, and since when as its data says; None if it does not."""
    state = w.state(now)
    end = ended_at(w)
    if w.spec.namespace in PROTECTED_NAMESPACES and (w.applied or state is WindowState.ACTIVE):
        return f"seen in protected namespace {w.spec.namespace}", w.started_at or w.starts_at
    if state is WindowState.ENDED and w.applied and now - end > timedelta(seconds=5):
        return f"still applied {int((now - end).total_seconds())} s past its end", end
    return None


def faults_alerts(s: FaultsSnapshot, now: datetime) -> list[Alert]:
    out = []
    for w in s.windows:
        leak = _leak(w, now)
        if leak is None:
            continue
        why, since = leak
        alert = Alert(
            kind=AlertKind.FAULT_LEAK,
            key=f"fault:{w.id}",
            severity="critical",
            raised_at=now,
            message=f"{w.spec.namespace}/{w.spec.target_host} {why}",
        )
        out.append(dated(alert, since, now))
    return out


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
        return faults_alerts(snap, now)
    return []
