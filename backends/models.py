"""Pydantic models shared by every adapter, the TUI and the headless commands.

All datetimes are timezone-aware UTC. A snapshot is what one source knows at one moment:
its data, when it was observed, and the health of the source that produced it. The base
models are in backends.models_base, the release train's in backends.models_release, the
fault windows' in backends.models_faults, latency's in backends.models_latency; all are
imported from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from backends.models_base import HealthState as HealthState
from backends.models_base import Model
from backends.models_base import Snapshot as Snapshot
from backends.models_base import SourceHealth as SourceHealth
from backends.models_faults import FaultGuards as FaultGuards
from backends.models_faults import FaultRequest as FaultRequest
from backends.models_faults import FaultSpec as FaultSpec
from backends.models_faults import FaultsSnapshot as FaultsSnapshot
from backends.models_faults import FaultWindow as FaultWindow
from backends.models_faults import WindowState as WindowState
from backends.models_latency import CacheLayer as CacheLayer
from backends.models_latency import LatencySnapshot as LatencySnapshot
from backends.models_latency import RouteLatency as RouteLatency
from backends.models_latency import RouteState as RouteState
from backends.models_release import PublishedRelease as PublishedRelease
from backends.models_release import RateLimit as RateLimit
from backends.models_release import Rehearsal as Rehearsal
from backends.models_release import ReleaseAsset as ReleaseAsset
from backends.models_release import ReleaseRun as ReleaseRun
from backends.models_release import ReleaseSnapshot as ReleaseSnapshot
from backends.models_release import ReleaseStage as ReleaseStage
from backends.models_release import StageStatus as StageStatus
from backends.models_release import Verification as Verification
from backends.models_release import not_missing_yet as not_missing_yet
from backends.text_safe import PlainLine, Reason

# --- access (ABAC) ---

ATTR_KEYS: tuple[str, ...] = ("service", "tenant", "data_class", "region", "environment")


class Attrs(Model):
    service: str
    tenant: str
    data_class: str
    region: str
    environment: str
    role: str = "user"


class Decision(Model):
    """One policy decision, in the spirit of an OPA decision-log event."""

    decision_id: str
    timestamp: AwareDatetime
    path: str = "abac/allow"
    attrs: Attrs
    request_tenant: str
    request_data_class: str
    allowed: bool
    reason: str = ""
    # The decision-log event's `input` as sent (a dry-run replays it); None: rebuild it
    # from attrs and the request fields.
    input_doc: dict[str, Any] | None = None


class DenyRateRow(Model):
    dimension: str  # one of ATTR_KEYS
    value: str
    total: int
    denied: int
    rate: float  # denied / total over the window, 0..1
    history: tuple[float, ...] = ()  # deny rate per bucket, oldest first

    @classmethod
    def of(
        cls, dimension: str, value: str, total: int, denied: int, history: Iterable[float]
    ) -> DenyRateRow:
        """A row from its counts: the rate is denied / total (0 with no decisions)."""
        return cls(
            dimension=dimension,
            value=value,
            total=total,
            denied=denied,
            rate=denied / total if total else 0.0,
            history=tuple(history),
        )

    def worst_first_key(self) -> tuple[float, int, str, str]:
        """Sorting by this puts the worst first: the highest rate, then the most denied."""
        return (-self.rate, -self.denied, self.dimension, self.value)


def worst_first(rows: Iterable[DenyRateRow]) -> list[DenyRateRow]:
    """Deny-rate rows, the worst first, whatever order a source gave them in: as the access
    pane lists them, and the spike alert names its worst."""
    return sorted(rows, key=DenyRateRow.worst_first_key)


class AccessSnapshot(Snapshot):
    window_s: float = 60.0
    total: int = 0
    denied: int = 0
    deny_rate: float = 0.0
    baseline_rate: float = 0.0
    history: tuple[float, ...] = ()
    rows: tuple[DenyRateRow, ...] = ()
    recent_denied: tuple[Decision, ...] = ()
    # the commonest denials in the window, by service and rule ("billing: data_residency",
    # backends/access_denials.py), most first; None: the source does not count them (the
    # pane then counts `recent_denied`, and says so)
    top_denials: tuple[tuple[str, int], ...] | None = None
    dropped: int = 0
    sampled: bool = False
    malformed: int = 0  # messages or events that were not decisions (since start)
    oversized: int = 0  # messages over the size limit, discarded unread (since start)
    late: int = 0  # decisions that arrived older than the window (in it), not counted
    # decisions stamped too far in the future (backends.access_window.FUTURE_SKEW_S), a
    # publisher's clock ahead of ours: not counted (since start)
    skewed: int = 0
    # events of another policy path than the one counted (the source's `path` filter):
    # ignored, counted since start, and the paths they had (the commonest first, at most 3)
    other_path: int = 0
    other_paths: tuple[str, ...] = ()


# --- break-glass grants ---


class Actor(Model):
    name: str
    roles: tuple[str, ...] = ()


class Grant(Model):
    id: str
    subject: str
    role: str
    reason: str
    granted_by: str
    granted_at: AwareDatetime
    expires_at: AwareDatetime
    # how it is not as the audit trail records it ("" if it is, or its source cannot
    # tell): "not in the audit trail", "differs from its audit record: role", ...
    audit_problem: str = ""

    def remaining(self, now: datetime) -> timedelta:
        return self.expires_at - now

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now


class GrantRequest(Model):
    """What someone asks for: plain text on one line (backends/text_safe.py); the reason
    with its whitespace squeezed."""

    subject: PlainLine = Field(min_length=1)
    role: PlainLine = Field(min_length=1)
    reason: Reason = Field(min_length=10)
    ttl: timedelta = timedelta(minutes=30)
    step_up_code: str = Field(default="", repr=False)


class GrantEnded(Model):
    """A grant that ended lately, as its source knows it: whose it was, and that it was
    revoked (by whom, why) or ran out. What a dashboard needs to say so when the grant
    drops out of its list, and what `grants list --json` and `snapshot --json` tell."""

    id: str
    at: AwareDatetime  # when it ended
    # said, not read from an empty revoked_by; "unlisted": gone from its source's list
    # before its expiry with no revoke on record (OPA restarted and lost its data)
    how: Literal["expired", "revoked", "unlisted"]
    subject: str = ""  # who held it ("": a source that does not say)
    role: str = ""  # what they held
    revoked_by: str = ""  # "": nobody revoked it, it ran out (and was reaped)
    reason: str = ""  # the revoke's reason
    expires_at: AwareDatetime | None = None  # when it would have run out (None: not said)


class TrailAck(Model):
    """An alert acknowledged, as the audit trail records it (backends/alert_acks.py): what
    a running dashboard needs to show another's ack of an alert it shows too."""

    key: str  # the alert's key ...
    since: AwareDatetime  # ... and when it was raised: which alert it is
    actor: str
    at: AwareDatetime  # when it was acknowledged (its request record's time)
    who: str = ""  # the actor as the timeline says it: "bob (os user root)"
    alert: str = ""  # which alert, as the record says it: "release train failure since ..."


class GrantsSnapshot(Snapshot):
    grants: tuple[Grant, ...] = ()
    # grants that ended lately (the local store: the last ENDED_WINDOW), newest first; a
    # source that cannot tell leaves it empty
    ended: tuple[GrantEnded, ...] = ()
    # alert acks the audit trail recorded lately, oldest first: the local store's grants
    # poll reads the trail's new records anyway (backends/local/ack_tail.py). The trail's,
    # not the grants': left out of `grants list --json` and `snapshot --json`
    acks: tuple[TrailAck, ...] = Field(default=(), exclude=True)

    def ended_of(self, grant_id: str) -> GrantEnded | None:
        return next((e for e in self.ended if e.id == grant_id), None)


# --- alerts and audit ---


class AlertKind(StrEnum):
    DENY_SPIKE = "policy deny spike"
    TTL_EXPIRED_ACTIVE = "break-glass TTL expired still active"
    GRANT_UNAUDITED = "break-glass grant unaudited"  # not as the audit trail records it
    # gone from its source's list before its expiry, with no revoke on record
    GRANT_VANISHED = "break-glass grant vanished"
    RELEASE_FAILURE = "release train failure"
    P999_REGRESSION = "p99.9 regression"
    P999_OVER_SLO = "p99.9 over SLO"
    FAULT_LEAK = "fault injection leaking"
    SOURCE_DOWN = "source down"
    SOURCE_NO_DATA = "source no data"  # answering with nothing to count, for a while
    SOURCE_WARNING = "source misbehaving"  # answering, but e.g. it blocked the dashboard


class Alert(Model):
    kind: AlertKind
    key: str  # identifies the thing alerted on, stable across updates
    message: str
    raised_at: AwareDatetime
    severity: Literal["warning", "critical"] = "warning"
    # where raised_at comes from: "data", the source says when (a cut's failure, a grant's
    # expiry, a fault window's start or end); "seen", when this dashboard first saw it;
    # "start", there in its source's first data: it began earlier, when is not known;
    # "kept", going on since a dashboard on the same data dir saw it begin (or start) before
    # this one started (backends/alert_episodes.py)
    raised_from: Literal["data", "seen", "start", "kept"] = "seen"
    acknowledged: bool = False  # someone has seen it; it stays until its condition clears
    acked_by: str = ""  # who acknowledged it, and when (backends/alert_acks.py)
    acked_at: AwareDatetime | None = None
    # kept from its pane's last data (backends/alerts.py): the time of the figures in its
    # message, which starts with a mark saying so; a narrow strip shortens that mark
    held_at: AwareDatetime | None = Field(default=None, exclude=True)


class AuditRecord(Model):
    seq: int
    id: str
    at: AwareDatetime
    actor: str
    action: str
    target: str
    phase: Literal["request", "outcome"]
    outcome: str = ""
    details: dict[str, str] = Field(default_factory=dict)
    prev_hash: str
    hash: str


class AuditVerification(Model):
    """The result of checking the audit trail: its hash chain and its signed digests."""

    ok: bool
    records: int = 0
    digests: int = 0
    first_bad_seq: int | None = None  # the first record that is edited, missing or moved
    problem: str = ""  # what was found tampered with ("" if nothing)
    # what is wrong with the signing key pair ("" if nothing): a missing public key (the
    # signatures could not be checked) or signing key (nothing can be appended); not `ok`
    key_problem: str = ""
    # to record off the machine and expect later (backends.audit_pins): the public key's
    # SHA-256 fingerprint (hex; "" without one) and the last record's seq and hash
    key_fingerprint: str = ""
    head_seq: int = 0
    head_hash: str = ""
