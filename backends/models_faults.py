"""Fault-injection windows' models: what a window injects, its guards, its times and
state. Re-exported from backends.models, where everyone imports them."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, Field

from backends.models_base import Model, Snapshot
from backends.text_safe import Reason


class WindowState(StrEnum):
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    ENDED = "ended"


class FaultSpec(Model):
    target_host: str = Field(min_length=1)
    namespace: str = Field(min_length=1)
    delay_ms: int = Field(default=0, ge=0, le=60_000)
    delay_percent: float = Field(default=0.0, ge=0, le=100)
    abort_status: int = Field(default=503, ge=200, le=599)
    abort_percent: float = Field(default=0.0, ge=0, le=100)


class FaultGuards(Model):
    """Conditions that end a window early (checked by the reconcile loop)."""

    p999_ms_above: float | None = Field(default=None, gt=0)
    error_rate_above: float | None = Field(default=None, gt=0, le=1)
    route: str = ""  # the latency route watched; empty: every route


class FaultWindow(Model):
    id: str
    spec: FaultSpec
    owner: str
    reason: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    ended_early_at: AwareDatetime | None = None
    # when its fault really came out, if that was more than a few seconds past its end (no
    # reconciler could take it out then: backends.fault_times.LATE_AFTER); None: on time
    ended_late_at: AwareDatetime | None = None
    applied: bool = False  # the fault is present in the backend (mesh) right now
    # when it was scheduled and when its fault was put in (None: not yet, or not known;
    # ended early with none, it never ran: cancelled, faults_core.cancelled): every
    # dashboard's timeline says these times, not when it noticed
    scheduled_at: AwareDatetime | None = None
    started_at: AwareDatetime | None = None
    # who put its fault in: its owner when it started at once, else whoever ran the
    # reconciler that started it ("" : not known, or not started)
    started_by: str = ""
    guards: FaultGuards = Field(default_factory=FaultGuards)
    end_reason: str = ""  # why it ended early (ended by, guard tripped, HALT ALL)

    def state(self, now: datetime) -> WindowState:
        if self.ended_early_at is not None and self.ended_early_at <= now:
            return WindowState.ENDED
        if now < self.starts_at:
            return WindowState.SCHEDULED
        if now < self.ends_at:
            return WindowState.ACTIVE
        return WindowState.ENDED


class FaultRequest(Model):
    """What someone asks for. Its reason is squeezed to one line and refused with a control
    character (backends/text_safe.py); the host, namespace and guard route are checked with
    the limits (faults_core.field_problems), as the spec is also a stored window's."""

    spec: FaultSpec
    reason: Reason = Field(min_length=10)
    start_in: timedelta = timedelta(0)
    duration: timedelta = timedelta(minutes=10)
    guards: FaultGuards = Field(default_factory=FaultGuards)


class FaultsSnapshot(Snapshot):
    windows: tuple[FaultWindow, ...] = ()
