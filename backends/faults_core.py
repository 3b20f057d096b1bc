"""Fault windows, pure: guardrails, window state and guards. No I/O; every adapter and
every front end uses it (the Istio VirtualService transform is backends.fault_istio).

A request is checked against the limits (protected namespaces, percentage and duration
caps, valid names) before policy and audit; a window is ended early by hand, by HALT ALL
or by its guards (p99.9 or error rate over a threshold on a route).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from backends.contracts import ActionRefused
from backends.models import (
    Actor,
    FaultGuards,
    FaultRequest,
    FaultsSnapshot,
    FaultWindow,
    LatencySnapshot,
    WindowState,
)
from backends.text_safe import unsafe_in

DEFAULT_PROTECTED = ("prod", "production", "kube-system", "istio-system")
HARD_MAX_PERCENT = 50.0  # faults.rego caps here whatever the config says
HARD_MAX_DURATION = timedelta(hours=4)
MAX_START_IN = timedelta(hours=24)
MAX_DELAY = timedelta(seconds=60)  # FaultSpec.delay_ms le=60_000

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_HOST = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


@dataclass(frozen=True)
class Limits:
    protected_namespaces: frozenset[str] = frozenset(DEFAULT_PROTECTED)
    max_percent: float = HARD_MAX_PERCENT
    max_duration: timedelta = timedelta(minutes=60)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, protected: Iterable[str], max_percent: float, max_window_minutes: float) -> Limits:
        return cls(frozenset(protected), max_percent, timedelta(minutes=max_window_minutes))

    @property
    def percent_cap(self) -> float:
        """The most a delay % or abort % may be: max_percent, never over HARD_MAX_PERCENT."""
        return min(self.max_percent, HARD_MAX_PERCENT)

    def policy_data(self) -> dict[str, Any]:
        """The `data.fault_limits` document faults.rego reads (it can only tighten)."""
        return {
            "protected_namespaces": sorted(self.protected_namespaces),
            "max_percent": self.max_percent,
            "max_duration_s": self.max_duration.total_seconds(),
        }


def problems(req: FaultRequest, limits: Limits) -> list[str]:
    """Everything wrong with a request under these limits; empty means acceptable."""
    return [message for _, message in field_problems(req, limits)]


def span(td: timedelta) -> str:
    """A limit as people write it: 1h, 4h, 90m, 24h (not 1:00:00)."""
    secs = int(td.total_seconds())
    for unit, size in (("h", 3600), ("m", 60)):
        if secs >= size and secs % size == 0:
            return f"{secs // size}{unit}"
    return f"{secs}s"


def field_problems(req: FaultRequest, limits: Limits) -> list[tuple[str, str]]:
    """problems(), each with the request's field it is about ("spec.namespace",
    "duration"...), so a form can point at it."""
    spec, ns, host = req.spec, req.spec.namespace, req.spec.target_host
    out: list[tuple[str, str]] = []
    if ns in limits.protected_namespaces:
        out.append(("spec.namespace", f"namespace {ns!r} is protected; faults are refused there"))
    if not _DNS_LABEL.match(ns):
        out.append(("spec.namespace", f"namespace {ns!r} is not a valid Kubernetes namespace name"))
    if not _HOST.match(host):
        out.append(("spec.target_host", f"target host {host!r} is not a valid host name"))
    if why := unsafe_in(req.guards.route):
        out.append(("guards.route", f"guard route {why}"))
    if (spec.delay_ms > 0) != (spec.delay_percent > 0):
        missing = "spec.delay_percent" if spec.delay_ms > 0 else "spec.delay_ms"
        out.append((missing, "a delay needs both a delay (e.g. 800ms) and a delay % above 0"))
    if spec.delay_percent == 0 and spec.abort_percent == 0:
        why = (
            "a fault needs a delay % or an abort % above 0"
            " (with no percentage Istio would fault every request)"
        )
        out.append(("spec.delay_percent", why))
    worst = max(spec.delay_percent, spec.abort_percent)
    cap = limits.percent_cap
    if worst > cap:
        which = "spec.delay_percent" if spec.delay_percent == worst else "spec.abort_percent"
        what = "delay" if which == "spec.delay_percent" else "abort"
        out.append((which, f"{what} {worst:g}% is over the cap of {cap:g}%"))
    longest = min(limits.max_duration, HARD_MAX_DURATION)
    if not timedelta(0) < req.duration <= longest:
        out.append(("duration", f"a window lasts more than 0 and at most {span(longest)}"))
    if not timedelta(0) <= req.start_in <= MAX_START_IN:
        out.append(("start_in", f"a window starts between now and {span(MAX_START_IN)} from now"))
    return out


def check(req: FaultRequest, limits: Limits) -> None:
    """Every problem at once, the refusal about the first one's field (a form's focus)."""
    found = field_problems(req, limits)
    if found:
        raise ActionRefused("; ".join(m for _, m in found), field=found[0][0])


def new_window(req: FaultRequest, actor: Actor, now: datetime, window_id: str) -> FaultWindow:
    start = now + req.start_in
    return FaultWindow(
        id=window_id,
        spec=req.spec,
        owner=actor.name,
        reason=req.reason,
        starts_at=start,
        ends_at=start + req.duration,
        guards=req.guards,
        scheduled_at=now,
    )


def started(w: FaultWindow, at: datetime, by: str) -> FaultWindow:
    """Its fault put in at `at` by `by` (its owner, or who ran the reconciler)."""
    return w.model_copy(update={"applied": True, "started_at": at, "started_by": by})


def policy_input(
    action: str, actor: Actor, reason: str, req: FaultRequest | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "action": action,
        "actor": {"name": actor.name, "roles": list(actor.roles)},
        "reason": reason,
    }
    if req is not None:
        doc["window"] = {
            **req.spec.model_dump(mode="json"),
            "duration_s": req.duration.total_seconds(),
            "start_in_s": req.start_in.total_seconds(),
        }
    return doc


# --- guards ---------------------------------------------------------------------------


def above(value: float, limit: float, decimals: int) -> str:
    """`value` with as many decimals as it takes to read as more than `limit` (a guard at
    500 ms tripped by 500.4 ms: '500.4', not '500 ms > 500 ms')."""
    d = decimals
    while d < decimals + 6 and round(value, d) <= round(limit, d):
        d += 1
    return f"{value:.{d}f}"


def guard_trip(g: FaultGuards, latency: LatencySnapshot | None) -> tuple[str, str] | None:
    """Which of the guards `latency` is over ("p999_ms_above" or "error_rate_above"), and
    what it reads ("GET /search p99.9 329 ms > 300 ms"); None if none is."""
    if latency is None or (g.p999_ms_above is None and g.error_rate_above is None):
        return None
    for r in latency.routes:
        if g.route and r.route != g.route:
            continue
        if g.p999_ms_above is not None and r.p999_ms is not None and r.p999_ms > g.p999_ms_above:
            p999 = above(r.p999_ms, g.p999_ms_above, 0)
            return "p999_ms_above", f"{r.route} p99.9 {p999} ms > {g.p999_ms_above:g} ms"
        err = r.error_rate  # None: unknown (no requests), not over any line
        if g.error_rate_above is not None and err is not None and err > g.error_rate_above:
            rate = above(err * 100, g.error_rate_above * 100, 1)
            return "error_rate_above", f"{r.route} error rate {rate}% > {g.error_rate_above:.1%}"
    return None


def guard_tripped(w: FaultWindow, latency: LatencySnapshot | None) -> str | None:
    """Why the window's guards say it must end now, or None."""
    trip = guard_trip(w.guards, latency)
    return None if trip is None else f"guard: {trip[1]}"


NEVER_STARTED = "ended, never started"  # its whole window passed with no reconciler running


CANCELLED = "cancelled"  # ended before it started: nothing was ever injected


def ended_at(w: FaultWindow) -> datetime:
    """When it ended: early, on time, or late (its fault came out well past its end)."""
    if w.ended_early_at is not None and w.ended_early_at < w.ends_at:
        return w.ended_early_at
    return w.ended_late_at or w.ends_at


DUE = "due, not started"  # its time has come and nobody has put its fault in


def unstarted(w: FaultWindow, now: datetime) -> bool:
    """Its time has come and its fault is not in the backend: nobody has started it (a
    read-only dashboard starts none, and there may be no reconciler at all). One that was
    started and whose fault is no longer in (taken off outside watchfloor) is not: it is
    active, not applied, until a reconciler ends it."""
    return w.state(now) is WindowState.ACTIVE and not w.applied and w.started_at is None


def cancelled(w: FaultWindow) -> bool:
    """Ended (HALT ALL, `e`, a guard) before its fault was ever put in: before its start, or
    after it with nobody having started it. It never ran, and its end may be before its
    start, which a list must not show as a span ("12:58:23-12:53:30Z")."""
    early = w.ended_early_at
    return early is not None and (early <= w.starts_at or w.started_at is None)


def shown_state(w: FaultWindow, now: datetime) -> str:
    """scheduled, active, "due, not started", ended, or cancelled (ended before its fault
    was put in): the words of the faults pane of a dashboard that runs no reconciler."""
    if unstarted(w, now):
        return DUE
    return CANCELLED if cancelled(w) else w.state(now).value


def snapshot_json(snap: FaultsSnapshot, now: datetime) -> dict[str, Any]:
    """The snapshot as JSON, each window with its `state` as `shown_state` words it: what
    `watchfloor faults list --json` and `watchfloor snapshot --json` print."""
    doc: dict[str, Any] = snap.model_dump(mode="json")
    for w, out in zip(snap.windows, doc["windows"], strict=True):
        out["state"] = shown_state(w, now)
    return doc


def overlapping(
    new: FaultWindow, windows: Iterable[FaultWindow], now: datetime
) -> FaultWindow | None:
    """A window on the same namespace and host whose [start, end) overlaps `new`'s: a
    VirtualService carries one window's fault at a time, so the later one would be
    cancelled when due. One still in the mesh past its end holds the host until a
    reconciler takes it out; one ended (or cancelled) holds it no more."""
    for w in windows:
        if w.id == new.id or w.spec.namespace != new.spec.namespace:
            continue
        if w.spec.target_host != new.spec.target_host:
            continue
        end = ended_at(w)
        if w.applied and end <= now:  # past its end, not taken out yet
            if new.starts_at <= now:
                return w
            continue
        if w.starts_at < new.ends_at and new.starts_at < end:
            return w
    return None


def is_open(w: FaultWindow, now: datetime) -> bool:
    return w.state(now) is not WindowState.ENDED


def ended(w: FaultWindow, at: datetime, why: str) -> FaultWindow:
    """Ended early at `at`. One whose fault is in ran, even when nobody here knows since
    when (a VirtualService another data dir put in): it ran from its start as far as is
    known, and so is not read as cancelled. One never put in keeps no start: cancelled."""
    since = w.started_at or (w.starts_at if w.applied else None)
    return w.model_copy(
        update={"ended_early_at": at, "end_reason": why, "applied": False, "started_at": since}
    )
