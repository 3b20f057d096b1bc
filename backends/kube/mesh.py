"""Managed faults in the cluster: reading them off VirtualServices, putting one on, taking
them out, through the Kubernetes API. Calls block: the adapter runs them in a thread.

Writes are optimistic: a PUT/DELETE carries the resourceVersion it read; a 409 means
someone changed the object meanwhile, so it is read again and the change recomputed on
the fresh copy (up to `conflict_retries` times), never blindly overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backends.clock import Clock
from backends.contracts import ActionRefused
from backends.fault_istio import (
    A_CREATED,
    A_WINDOW,
    TransformError,
    edited_faults,
    is_managed,
    new_virtual_service,
    serves,
    unreadable_window,
    window_of,
    with_fault,
    without_fault,
)
from backends.kube.client import Conflict, KubeError, NotFound, VirtualServices
from backends.kube.options import KubeOptions
from backends.models import FaultWindow
from backends.resilience import ClientPolicy


class FaultMesh:
    """The VirtualService side of the kube fault adapter; `never` is its own fence."""

    def __init__(
        self,
        options: KubeOptions,
        client_policy: ClientPolicy,
        never: frozenset[str],
        clock: Clock,
    ) -> None:
        self.opts = options
        self.client_policy = client_policy
        self.never = never
        self.clock = clock
        self._vs: VirtualServices | None = None

    def client(self) -> VirtualServices:
        if self._vs is None:
            self._vs = VirtualServices(self.opts, self.client_policy)
        return self._vs

    def live(self, now: datetime) -> dict[str, tuple[FaultWindow, list[dict[str, Any]]]]:
        """Managed windows in the cluster: id -> (window, the objects carrying it)."""
        out: dict[str, tuple[FaultWindow, list[dict[str, Any]]]] = {}
        for item in self.client().list_managed():
            if not is_managed(item):
                continue
            w = window_of(item) or unreadable_window(item, now)
            out.setdefault(w.id, (w, []))[1].append(item)
        return out

    def apply(self, w: FaultWindow) -> str:
        """Put the window's fault on the VirtualService serving its host (or create one)."""
        if w.spec.namespace in self.never:  # the adapter's own fence, whatever called it
            raise ActionRefused(f"namespace {w.spec.namespace!r} is protected; faults refused")
        vs, ns, host = self.client(), w.spec.namespace, w.spec.target_host
        for _ in range(self.opts.conflict_retries):
            targets = sorted(
                (x for x in vs.list_in(ns) if serves(x, host, ns)),
                key=lambda x: x["metadata"]["name"],
            )
            if not targets:
                body = new_virtual_service(w, vs.api_version)
                try:
                    vs.create(ns, body)
                except Conflict:
                    continue  # someone created one meanwhile: read again
                return f"created {ns}/{body['metadata']['name']}"
            target = targets[0]
            try:
                body = with_fault(target, w)
            except TransformError as exc:
                raise ActionRefused(str(exc)) from None
            try:
                vs.replace(ns, target["metadata"]["name"], body)
            except Conflict:
                continue  # changed since we read it: recompute on a fresh copy
            return f"fault on {ns}/{target['metadata']['name']}"
        tries = self.opts.conflict_retries
        raise KubeError(409, f"{ns}: still conflicting after {tries} tries", vs.host)

    def _remove_one(self, item: dict[str, Any]) -> list[str]:
        """Take the window's fault out of one object; what else came out with it (a fault
        someone edited: backends.fault_istio.edited_faults)."""
        vs = self.client()
        ns, name = item["metadata"]["namespace"], item["metadata"]["name"]
        wid = item["metadata"]["annotations"][A_WINDOW]
        for _ in range(self.opts.conflict_retries):
            rv = item["metadata"].get("resourceVersion", "")
            try:
                if item["metadata"]["annotations"].get(A_CREATED) == "true":
                    vs.delete(ns, name, rv)
                else:
                    vs.replace(ns, name, without_fault(item))
                return edited_faults(item)
            except NotFound:
                return []  # already gone: nothing to remove
            except TransformError as exc:
                raise KubeError(0, f"{ns}/{name}: {exc}; fix it by hand") from None
            except Conflict:
                try:
                    item = vs.get(ns, name)
                except NotFound:
                    return []
                ann = item.get("metadata", {}).get("annotations") or {}
                if not is_managed(item) or ann.get(A_WINDOW) != wid:
                    return []  # someone already took our fault out
        tries = self.opts.conflict_retries
        raise KubeError(409, f"{ns}/{name}: still conflicting after {tries} tries", vs.host)

    def remove(self, window_ids: set[str] | None) -> Removal:
        """Take out the faults of these windows (None: every managed one). Every object is
        tried even if one fails: the result says which windows are out and which are still
        in, and why."""
        done = Removal()
        for wid, (w, items) in self.live(self.clock.now()).items():
            if window_ids is not None and wid not in window_ids:
                continue
            done.windows[wid] = w
            notes: list[str] = []
            for item in items:
                try:
                    notes += self._remove_one(item)
                except KubeError as exc:
                    done.failed.setdefault(wid, exc)
            if wid not in done.failed:
                done.removed[wid] = notes
        return done


@dataclass
class Removal:
    """What `FaultMesh.remove` did: per window, what else came out with its fault (a fault
    someone edited), or the error that left it in the mesh."""

    windows: dict[str, FaultWindow] = field(default_factory=dict)  # every one it tried
    removed: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, KubeError] = field(default_factory=dict)

    def check(self) -> None:
        """Raise the first failure, as it came."""
        for exc in self.failed.values():
            raise exc

    def notes(self, window_id: str) -> str:
        """'; the fault on route default had been edited (...): removed', or ''."""
        return "".join(f"; {n}" for n in self.removed.get(window_id, ()))
