"""Managed faults on Istio, pure: the VirtualService transform and its exact inverse.

A managed fault in the mesh is a VirtualService labelled
`app.kubernetes.io/managed-by: watchfloor` and annotated with the window (id, owner,
reason, start, end, spec, guards), so the cluster alone says what to end and when, and a
reconcile loop anywhere (cron, a pod) can end it. Applying adds an HTTPFaultInjection to
every HTTP route of the VirtualService serving the target host (or creates one when none
does); removing deletes exactly that `fault` key from each route and puts the labels and
annotations back as they were, so a pre-existing route comes back byte for byte. No I/O.
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
