"""The in-memory side of the fake Kubernetes API server (tests/kube_fake.py): stored
networking.istio.io VirtualServices and the REST semantics the kube adapter relies on.

Semantics: list (cluster-wide and per namespace, labelSelector k=v[,k=v]), get, create
(409 AlreadyExists), replace (PUT; 409 Conflict on a stale metadata.resourceVersion, 404),
merge-patch, delete (preconditions.resourceVersion -> 409, 404), a cluster-wide
resourceVersion counter, Status objects for errors, and the status subresource (a PUT does
not change .status). Every written object is validated against Istio's published CRD
schema (422 Invalid otherwise), as a real server would.

Test controls: `fail(method, status, times)` answers the next requests with an error,
`slow(seconds)` delays every reply, `interfere(fn)` runs fn(obj) on the stored object right
before the next PUT/DELETE, as if someone else wrote in between (bumps resourceVersion).
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.istio_schema import problems

PATH = re.compile(
    r"^/apis/networking\.istio\.io/(?P<version>v1|v1beta1|v1alpha3)"
    r"(?:/namespaces/(?P<ns>[^/]+))?/virtualservices(?:/(?P<name>[^/]+))?$"
)
TOKEN = "watchfloor-test-token"


@dataclass
class FakeKube:
    token: str = TOKEN
    objects: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    rv: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: list[tuple[str, int]] = field(default_factory=list)
    delay_s: float = 0.0
    interference: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)
    writes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # valid ones
    rejected: list[tuple[str, list[str]]] = field(default_factory=list)
    conflicts: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""

    # --- test controls -----------------------------------------------------------------

    def fail(self, method: str, status: int, times: int = 1) -> None:
        self.failures.extend([(method, status)] * times)

    def slow(self, seconds: float) -> None:
        self.delay_s = seconds

    def interfere(self, fn: Callable[[dict[str, Any]], None]) -> None:
        self.interference.append(fn)

    def seed(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Put an object in place as if `kubectl apply` had created it."""
        with self.lock:
            return self._store(copy.deepcopy(obj), obj["metadata"]["namespace"])

    def stored(self, ns: str, name: str) -> dict[str, Any] | None:
        with self.lock:
            obj = self.objects.get((ns, name))
            return copy.deepcopy(obj) if obj else None

    # --- semantics -----------------------------------------------------------------------

    def _next_rv(self) -> str:
        self.rv += 1
        return str(self.rv)

    def _store(self, obj: dict[str, Any], ns: str) -> dict[str, Any]:
        meta = obj.setdefault("metadata", {})
        meta["namespace"] = ns
        meta.setdefault("uid", str(uuid.uuid4()))
        meta.setdefault("creationTimestamp", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        meta.setdefault("generation", 1)
        meta["resourceVersion"] = self._next_rv()
        self.objects[(ns, meta["name"])] = obj
        return copy.deepcopy(obj)

    def _interfere(self, key: tuple[str, str]) -> None:
        if self.interference and key in self.objects:
            fn = self.interference.pop(0)
            obj = self.objects[key]
            fn(obj)
            if key in self.objects:
                obj["metadata"]["resourceVersion"] = self._next_rv()

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        m = PATH.match(path)
        if not m:
            return 404, status(404, "NotFound", f"the server could not find {path}")
        version, ns, name = m["version"], m["ns"], m["name"]
        with self.lock:
            self.requests.append((method, path))
            for i, (fm, fs) in enumerate(self.failures):
                if fm in (method, "*"):
                    del self.failures[i]
                    return fs, status(fs, "InternalError", "injected failure")
            if method == "GET" and name is None:
                return 200, self._list(version, ns, query)
            if ns is None:
                return 405, status(405, "MethodNotAllowed", "namespace required")
            key = (ns, name or "")
            if method == "GET":
                return self._get(key)
            if method == "POST" and name is None:
                return self._create(version, ns, body)
            if key not in self.objects:
                return 404, status(404, "NotFound", f'virtualservices "{name}" not found')
            self._interfere(key)
            if key not in self.objects:  # deleted by someone else in between
                return 404, status(404, "NotFound", f'virtualservices "{name}" not found')
            if method == "PUT":
                return self._replace(version, key, body)
            if method == "PATCH":
                return self._patch(version, key, body)
            if method == "DELETE":
                return self._delete(key, body)
        return 405, status(405, "MethodNotAllowed", method)

    def _list(self, version: str, ns: str | None, query: dict[str, list[str]]) -> Any:
        wanted = dict(
            p.split("=", 1) for p in (query.get("labelSelector") or [""])[0].split(",") if p
        )
        items = []
        for (ons, _), obj in sorted(self.objects.items()):
            if ns is not None and ons != ns:
                continue
            labels = obj["metadata"].get("labels") or {}
            if all(labels.get(k) == v for k, v in wanted.items()):
                items.append(copy.deepcopy(obj))
        return {
            "apiVersion": f"networking.istio.io/{version}",
            "kind": "VirtualServiceList",
            "metadata": {"resourceVersion": str(self.rv)},
            "items": items,
        }

    def _get(self, key: tuple[str, str]) -> tuple[int, Any]:
        obj = self.objects.get(key)
        if obj is None:
            return 404, status(404, "NotFound", f'virtualservices "{key[1]}" not found')
        return 200, copy.deepcopy(obj)

    def _invalid(self, method: str, version: str, obj: dict[str, Any]) -> tuple[int, Any] | None:
        found = problems(obj, version)
        if found:
            self.rejected.append((method, found))
            return 422, status(422, "Invalid", "; ".join(found))
        self.writes.append((method, copy.deepcopy(obj)))
        return None

    def _create(self, version: str, ns: str, body: Any) -> tuple[int, Any]:
        name = body.get("metadata", {}).get("name", "")
        if (ns, name) in self.objects:
            return 409, status(409, "AlreadyExists", f'virtualservices "{name}" already exists')
        if (bad := self._invalid("POST", version, body)) is not None:
            return bad
        return 201, self._store(body, ns)

    def _replace(self, version: str, key: tuple[str, str], body: Any) -> tuple[int, Any]:
        current = self.objects[key]
        sent = body.get("metadata", {}).get("resourceVersion")
        if sent and sent != current["metadata"]["resourceVersion"]:
            self.conflicts += 1
            return 409, status(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on virtualservices "{key[1]}": the object has '
                "been modified; please apply your changes to the latest version and try again",
            )
        if (bad := self._invalid("PUT", version, body)) is not None:
            return bad
        body = copy.deepcopy(body)
        if "status" in current:
            body["status"] = current["status"]  # the status subresource
        else:
            body.pop("status", None)
        meta = body["metadata"]
        for k in ("uid", "creationTimestamp"):
            meta[k] = current["metadata"][k]
        changed = body.get("spec") != current.get("spec")
        meta["generation"] = current["metadata"]["generation"] + (1 if changed else 0)
        return 200, self._store(body, key[0])

    def _patch(self, version: str, key: tuple[str, str], body: Any) -> tuple[int, Any]:
        current = self.objects[key]
        sent = (body.get("metadata") or {}).get("resourceVersion")
        if sent and sent != current["metadata"]["resourceVersion"]:
            self.conflicts += 1
            return 409, status(409, "Conflict", "the object has been modified")
        merged = merge_patch(copy.deepcopy(current), body)
        merged["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        return self._replace(version, key, merged)

    def _delete(self, key: tuple[str, str], body: Any) -> tuple[int, Any]:
        current = self.objects[key]
        pre = ((body or {}).get("preconditions") or {}).get("resourceVersion")
        if pre and pre != current["metadata"]["resourceVersion"]:
            self.conflicts += 1
            return 409, status(409, "Conflict", "Precondition failed: resourceVersion")
        del self.objects[key]
        self.writes.append(("DELETE", {"metadata": {"namespace": key[0], "name": key[1]}}))
        return 200, {"kind": "Status", "apiVersion": "v1", "status": "Success"}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge_patch(target.get(k), v)
    return target


def status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
