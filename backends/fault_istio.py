"""Managed faults on Istio, pure: the VirtualService transform and its exact inverse.

A managed fault in the mesh is a VirtualService labelled
`app.kubernetes.io/managed-by: watchfloor` and annotated with the window (id, owner,
reason, start, end, spec, guards), so the cluster alone says what to end and when, and a
reconcile loop anywhere (cron, a pod) can end it. Applying adds an HTTPFaultInjection to
every HTTP route of the VirtualService serving the target host (or creates one when none
does); removing deletes that `fault` key from each route (and says so of one someone
edited meanwhile: it is removed too, never left in the mesh untracked) and takes off only
the labels and annotations it added, so a pre-existing route comes back byte for byte and
edits made meanwhile stay. No I/O.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from backends.models import FaultGuards, FaultSpec, FaultWindow

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
# the annotations with_fault puts on an existing VirtualService (and without_fault takes off)
STAMPED = (A_WINDOW, A_OWNER, A_REASON, A_START, A_END, A_SPEC, A_GUARDS, A_ORIGINAL)


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
    """The inverse of `with_fault`: every `fault` key removed from the routes (ours, and one
    someone edited meanwhile: `edited_faults` says which), and of the labels and
    annotations only those watchfloor added taken out and those it overwrote given back
    their values. Everything else someone changed meanwhile (a route, a timeout, a label,
    an annotation) stays as it is now."""
    if not is_managed(vs):
        raise TransformError(f"{_name(vs)} carries no watchfloor fault")
    out = copy.deepcopy(dict(vs))
    meta = out["metadata"]
    try:
        original = json.loads(meta["annotations"][A_ORIGINAL])
        FaultSpec.model_validate_json(meta["annotations"][A_SPEC])
    except (KeyError, ValueError) as exc:
        raise TransformError(f"{_name(vs)}: cannot read what was there before: {exc}") from exc
    for route in out.get("spec", {}).get("http") or []:
        route.pop("fault", None)  # none was there before with_fault (it refuses one)
    for key, ours in (("labels", (MANAGED_LABEL,)), ("annotations", STAMPED)):
        before = original.get(key)
        now = _given_back(meta.get(key) or {}, before or {}, ours)
        if before is None and not now:
            meta.pop(key, None)
        else:
            meta[key] = now
    return out


def _given_back(
    now: Mapping[str, str], before: Mapping[str, str], ours: tuple[str, ...]
) -> dict[str, str]:
    """`now` with the keys in `ours` as they were `before` (gone if they were not there),
    in the order they are in now (a key we overwrote kept its place)."""
    out = {}
    for k, v in now.items():
        if k not in ours:
            out[k] = v
        elif k in before:
            out[k] = before[k]
    return out


def edited_faults(vs: Mapping[str, Any]) -> list[str]:
    """What `without_fault` takes out beyond the window's own fault: a route's fault that
    is not the one put there (someone edited it meanwhile, or put one on a route that had
    none), each as "the fault on route default had been edited (delay 800ms @10%, was
    800ms @30%): removed". Nothing when every fault on the routes is ours."""
    try:
        spec = FaultSpec.model_validate_json(vs["metadata"]["annotations"][A_SPEC])
    except (KeyError, TypeError, ValueError):
        return []
    ours = fault_block(spec)
    out = []
    for i, route in enumerate(vs.get("spec", {}).get("http") or []):
        theirs = route.get("fault")
        if theirs is None or theirs == ours:
            continue
        name = route.get("name") or f"#{i + 1}"
        out.append(f"the fault on route {name} had been edited ({_changes(theirs, ours)}): removed")
    return out


def _changes(theirs: Mapping[str, Any], ours: Mapping[str, Any]) -> str:
    """'delay 800ms @10%, was 800ms @30%'; 'abort 500 @5%, was none'."""
    said = []
    for kind in ("delay", "abort"):
        now, was = _part(theirs.get(kind)), _part(ours.get(kind))
        if now != was:
            said.append(f"{kind} {now}, was {was}")
    return "; ".join(said) or "changed"


def _part(block: Any) -> str:
    """One half of an HTTPFaultInjection in a few words: '800ms @30%', '503 @1%', 'none'."""
    if not isinstance(block, Mapping):
        return "none"
    what = next(
        (
            str(block[k])
            for k in ("fixedDelay", "exponentialDelay", "httpStatus", "grpcStatus", "http2Error")
            if k in block
        ),
        "?",
    )
    pct = block.get("percentage")
    if isinstance(pct, Mapping) and isinstance(pct.get("value"), int | float):
        return f"{what} @{pct['value']:g}%"
    return f"{what} on every request"  # Istio's default with no percentage


def window_of(vs: Mapping[str, Any]) -> FaultWindow | None:
    """The window a managed VirtualService carries, applied if a fault is on its routes,
    or None if unreadable."""
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
            applied=carries_fault(vs),
        )
    except (KeyError, ValueError):
        return None


def carries_fault(vs: Mapping[str, Any]) -> bool:
    """A fault is on one of its routes (ours, or ours as someone edited it): what is in the
    mesh, whatever the annotations say (someone may have taken every fault off)."""
    return any("fault" in route for route in vs.get("spec", {}).get("http") or ())


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
