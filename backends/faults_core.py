"""Fault windows, pure: guardrails, window state, guards, and the Istio VirtualService
transform with its exact inverse. No I/O; every adapter and every front end uses it.

A managed fault in the mesh is a VirtualService labelled
`app.kubernetes.io/managed-by: watchfloor` and annotated with the window (id, owner,
reason, start, end, spec, guards), so the cluster alone says what to end and when, and a
reconcile loop anywhere (cron, a pod) can end it. Applying adds an HTTPFaultInjection to
every HTTP route of the VirtualService serving the target host (or creates one when none
does); removing deletes exactly that `fault` key from each route and puts the labels and
annotations back as they were, so a pre-existing route comes back byte for byte.
"""

from __future__ import annotations

import copy
import json
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
    FaultSpec,
    FaultWindow,
    LatencySnapshot,
    WindowState,
)

DEFAULT_PROTECTED = ("prod", "production", "kube-system", "istio-system")
HARD_MAX_PERCENT = 50.0  # faults.rego caps here whatever the config says
HARD_MAX_DURATION = timedelta(hours=4)
MAX_START_IN = timedelta(hours=24)

MANAGED_LABEL = "app.kubernetes.io/managed-by"
MANAGED_VALUE = "watchfloor"
MANAGED_SELECTOR = f"{MANAGED_LABEL}={MANAGED_VALUE}"
PREFIX = "watchfloor.io/"
A_WINDOW = PREFIX + "fault-window"
A_OWNER = PREFIX + "owner"
A_REASON = PREFIX + "reason"
A_START = PREFIX + "start"
A_END = PREFIX + "end"
A_SPEC = PREFIX + "fault"
A_GUARDS = PREFIX + "guards"
A_CREATED = PREFIX + "created"  # "true": watchfloor created the object, delete it to undo
A_ORIGINAL = PREFIX + "original"  # what was there before: http routes, labels, annotations

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

    def policy_data(self) -> dict[str, Any]:
        """The `data.fault_limits` document faults.rego reads (it can only tighten)."""
        return {
            "protected_namespaces": sorted(self.protected_namespaces),
            "max_percent": self.max_percent,
            "max_duration_s": self.max_duration.total_seconds(),
        }


def problems(req: FaultRequest, limits: Limits) -> list[str]:
    """Everything wrong with a request under these limits; empty means acceptable."""
    spec = req.spec
    out = []
    if spec.namespace in limits.protected_namespaces:
        out.append(f"namespace {spec.namespace!r} is protected; faults are refused there")
    if not _DNS_LABEL.match(spec.namespace):
        out.append(f"namespace {spec.namespace!r} is not a valid Kubernetes namespace name")
    if not _HOST.match(spec.target_host):
        out.append(f"target host {spec.target_host!r} is not a valid host name")
    if (spec.delay_ms > 0) != (spec.delay_percent > 0):
        out.append("a delay needs both a duration and a percentage above 0")
    if spec.delay_percent == 0 and spec.abort_percent == 0:
        out.append("a fault needs a delay or an abort percentage above 0 (Istio would fault all)")
    worst = max(spec.delay_percent, spec.abort_percent)
    cap = min(limits.max_percent, HARD_MAX_PERCENT)
    if worst > cap:
        out.append(f"{worst:g}% is over the cap of {cap:g}%")
    longest = min(limits.max_duration, HARD_MAX_DURATION)
    if not timedelta(0) < req.duration <= longest:
        out.append(f"a window lasts more than 0 and at most {longest}")
    if not timedelta(0) <= req.start_in <= MAX_START_IN:
        out.append(f"a window starts between now and {MAX_START_IN} from now")
    return out


def check(req: FaultRequest, limits: Limits) -> None:
    found = problems(req, limits)
    if found:
        raise ActionRefused("; ".join(found))


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
    )


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


def guard_tripped(w: FaultWindow, latency: LatencySnapshot | None) -> str | None:
    """Why the window's guards say it must end now, or None."""
    g = w.guards
    if latency is None or (g.p999_ms_above is None and g.error_rate_above is None):
        return None
    for r in latency.routes:
        if g.route and r.route != g.route:
            continue
        if g.p999_ms_above is not None and r.p999_ms is not None and r.p999_ms > g.p999_ms_above:
            return f"guard: {r.route} p99.9 {r.p999_ms:.0f} ms > {g.p999_ms_above:g} ms"
        if g.error_rate_above is not None and r.error_rate > g.error_rate_above:
            return f"guard: {r.route} error rate {r.error_rate:.1%} > {g.error_rate_above:.1%}"
    return None


def is_open(w: FaultWindow, now: datetime) -> bool:
    return w.state(now) is not WindowState.ENDED


def ended(w: FaultWindow, at: datetime, why: str) -> FaultWindow:
    return w.model_copy(update={"ended_early_at": at, "end_reason": why, "applied": False})


# --- the Istio VirtualService transform -----------------------------------------------


class TransformError(ValueError):
    """The VirtualService cannot take a managed fault (or give one back)."""


def fault_block(spec: FaultSpec) -> dict[str, Any]:
    """The HTTPFaultInjection for a spec; percentages are always explicit."""
    out: dict[str, Any] = {}
    if spec.delay_ms > 0 and spec.delay_percent > 0:
        out["delay"] = {
            "fixedDelay": f"{spec.delay_ms}ms",
            "percentage": {"value": float(spec.delay_percent)},
        }
    if spec.abort_percent > 0:
        out["abort"] = {
            "httpStatus": spec.abort_status,
            "percentage": {"value": float(spec.abort_percent)},
        }
    return out


def serves(vs: Mapping[str, Any], host: str, namespace: str) -> bool:
    names = {host, f"{host}.{namespace}", f"{host}.{namespace}.svc"}
    names.add(f"{host}.{namespace}.svc.cluster.local")
    return any(h in names for h in vs.get("spec", {}).get("hosts", ()))


def is_managed(vs: Mapping[str, Any]) -> bool:
    meta = vs.get("metadata", {})
    labels = meta.get("labels") or {}
    return labels.get(MANAGED_LABEL) == MANAGED_VALUE and A_WINDOW in (
        meta.get("annotations") or {}
    )


def _stamp(w: FaultWindow) -> dict[str, str]:
    return {
        A_WINDOW: w.id,
        A_OWNER: w.owner,
        A_REASON: w.reason,
        A_START: w.starts_at.isoformat(),
        A_END: w.ends_at.isoformat(),
        A_SPEC: w.spec.model_dump_json(),
        A_GUARDS: w.guards.model_dump_json(exclude_defaults=True),
    }


def created_name(w: FaultWindow) -> str:
    return f"watchfloor-fault-{w.id}"


def new_virtual_service(w: FaultWindow, api_version: str) -> dict[str, Any]:
    """A VirtualService of our own, for a host no VirtualService serves yet."""
    host = w.spec.target_host
    return {
        "apiVersion": api_version,
        "kind": "VirtualService",
        "metadata": {
            "name": created_name(w),
            "namespace": w.spec.namespace,
            "labels": {MANAGED_LABEL: MANAGED_VALUE},
            "annotations": {**_stamp(w), A_CREATED: "true"},
        },
        "spec": {
            "hosts": [host],
            "http": [{"fault": fault_block(w.spec), "route": [{"destination": {"host": host}}]}],
        },
    }


def with_fault(vs: Mapping[str, Any], w: FaultWindow) -> dict[str, Any]:
    """`vs` with the window's fault on every HTTP route, labelled and annotated."""
    if is_managed(vs):
        other = vs["metadata"]["annotations"][A_WINDOW]
        raise TransformError(f"{_name(vs)} already carries fault window {other}")
    out = copy.deepcopy(dict(vs))
    meta = out.setdefault("metadata", {})
    http = out.get("spec", {}).get("http")
    if not http:
        raise TransformError(f"{_name(vs)} has no HTTP routes to put a fault on")
    if any("fault" in route for route in http):
        raise TransformError(f"{_name(vs)} already has a fault that watchfloor does not manage")
    labels = meta.get("labels")
    annotations = meta.get("annotations")
    original = {
        "http": copy.deepcopy(http),
        "labels": None if labels is None else dict(labels),
        "annotations": None if annotations is None else dict(annotations),
    }
    block = fault_block(w.spec)
    for route in http:
        route["fault"] = copy.deepcopy(block)
    meta["labels"] = {**(labels or {}), MANAGED_LABEL: MANAGED_VALUE}
    meta["annotations"] = {
        **(annotations or {}),
        **_stamp(w),
        A_ORIGINAL: json.dumps(original, separators=(",", ":")),
    }
    return out


def without_fault(vs: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `with_fault`: our `fault` keys removed, labels and annotations as they
    were. Routes someone else changed meanwhile keep their changes."""
    if not is_managed(vs):
        raise TransformError(f"{_name(vs)} carries no watchfloor fault")
    out = copy.deepcopy(dict(vs))
    meta = out["metadata"]
    try:
        original = json.loads(meta["annotations"][A_ORIGINAL])
        spec = FaultSpec.model_validate_json(meta["annotations"][A_SPEC])
    except (KeyError, ValueError) as exc:
        raise TransformError(f"{_name(vs)}: cannot read what was there before: {exc}") from exc
    block = fault_block(spec)
    for route in out.get("spec", {}).get("http") or []:
        if route.get("fault") == block:
            del route["fault"]
    for key in ("labels", "annotations"):
        if original.get(key) is None:
            meta.pop(key, None)
        else:
            meta[key] = original[key]
    return out


def window_of(vs: Mapping[str, Any]) -> FaultWindow | None:
    """The window a managed VirtualService carries (applied), or None if unreadable."""
    if not is_managed(vs):
        return None
    meta = vs["metadata"]
    ann = meta["annotations"]
    try:
        return FaultWindow(
            id=ann[A_WINDOW],
            spec=FaultSpec.model_validate_json(ann[A_SPEC]).model_copy(
                update={"namespace": meta.get("namespace", "")}
            ),
            owner=ann.get(A_OWNER, "?"),
            reason=ann.get(A_REASON, "?"),
            starts_at=datetime.fromisoformat(ann[A_START]),
            ends_at=datetime.fromisoformat(ann[A_END]),
            guards=FaultGuards.model_validate_json(ann.get(A_GUARDS) or "{}"),
            applied=True,
        )
    except (KeyError, ValueError):
        return None


def unreadable_window(vs: Mapping[str, Any], now: datetime) -> FaultWindow:
    """A managed object whose annotations cannot be read: shown as already past its end,
    so it raises the leak alert and reconcile removes it."""
    meta = vs.get("metadata", {})
    return FaultWindow(
        id=(meta.get("annotations") or {}).get(A_WINDOW, meta.get("name", "?")),
        spec=FaultSpec(target_host=meta.get("name", "?"), namespace=meta.get("namespace", "?")),
        owner="?",
        reason="unreadable watchfloor annotations",
        starts_at=now - timedelta(minutes=1),
        ends_at=now - timedelta(minutes=1),
        applied=True,
    )


def _name(vs: Mapping[str, Any]) -> str:
    meta = vs.get("metadata", {})
    return f"{meta.get('namespace', '?')}/{meta.get('name', '?')}"
