"""A local HTTP server that follows OPA's documented REST data API, for the OPA adapter.

    GET    /v1/data/{path}   200 {"result": doc}, or 200 {} when the path is undefined
    PUT    /v1/data/{path}   204; creates parent documents; `If-None-Match: *` -> 304 if
                             the document exists
    DELETE /v1/data/{path}   204, or 404 {"code": "resource_not_found", ...}
    POST   /v1/data/{path}   {"input": ...} -> 200 {"result": value} of a rule, evaluated
                             with the embedded Rego interpreter over the stored data
    GET    /health           200 {}

Its clock can be set off from ours (`skew_s`) as its `Date` header shows it; the Rego
`time.now_ns()` it evaluates with stays the real clock.

Fault hooks for the client-policy tests: `fail_next(n, status)` answers the next n
requests (of a method, or any) with a 5xx, and `delay_s` holds every reply that long.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from backends.policy import PolicyEngine, policy_path


class FakeOpa:
    def __init__(self, policies: list[Path] | None = None) -> None:
        self.data: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.skew_s = 0.0
        self.fail_deletes = False
        self.requests: list[tuple[str, str]] = []
        self.policies = policies or [policy_path("abac.rego")]
        self.url = ""
        self.delay_s = 0.0
        self._fail: list[tuple[str, int]] = []

    def fail_next(self, times: int, status: int = 500, method: str = "*") -> None:
        """The next `times` requests (of `method`, or any) are answered `status`."""
        with self.lock:
            self._fail.extend([(method, status)] * times)

    def heal(self) -> None:
        """Forget the injected failures and delays."""
        with self.lock:
            self._fail.clear()
            self.delay_s = 0.0

    def _injected(self, method: str) -> int | None:
        with self.lock:
            for i, (m, status) in enumerate(self._fail):
                if m in (method, "*"):
                    del self._fail[i]
                    return status
        return None

    def _walk(self, parts: list[str]) -> Any:
        node: Any = self.data
        for p in parts:
            if not isinstance(node, dict) or p not in node:
                return None
            node = node[p]
        return node

    def handler(self) -> type[BaseHTTPRequestHandler]:
        opa = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                return None

            def date_time_string(self, timestamp: float | None = None) -> str:
                return formatdate(time.time() + opa.skew_s, usegmt=True)

            def _send(self, code: int, body: Any = None) -> None:
                raw = b"" if body is None else json.dumps(body).encode()
                try:
                    self.send_response(code)
                    if body is not None:
                        self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def _misbehave(self, method: str) -> bool:
                """The fault hooks: hold the reply, or answer an injected error."""
                if opa.delay_s:
                    time.sleep(opa.delay_s)
                status = opa._injected(method)
                if status is None:
                    return False
                self._send(status, {"code": "internal_error", "message": "injected failure"})
                return True

            def _parts(self) -> list[str] | None:
                path = self.path.split("?")[0]
                if not path.startswith("/v1/data"):
                    return None
                return [p for p in path[len("/v1/data") :].split("/") if p]

            def _body(self) -> Any:
                n = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(n) or b"null")

            def do_GET(self) -> None:
                opa.requests.append(("GET", self.path))
                if self._misbehave("GET"):
                    return None
                if self.path == "/health":
                    return self._send(200, {})
                parts = self._parts()
                if parts is None:
                    return self._send(404, {"code": "not_found"})
                with opa.lock:
                    doc = opa._walk(parts)
                self._send(200, {} if doc is None else {"result": doc})

            def do_PUT(self) -> None:
                opa.requests.append(("PUT", self.path))
                if self._misbehave("PUT"):
                    return None
                parts = self._parts()
                if not parts:
                    return self._send(400, {"code": "invalid_parameter"})
                body = self._body()
                with opa.lock:
                    if self.headers.get("If-None-Match") == "*" and opa._walk(parts) is not None:
                        return self._send(304)
                    node = opa.data
                    for p in parts[:-1]:
                        node = node.setdefault(p, {})
                    node[parts[-1]] = body
                self._send(204)

            def do_DELETE(self) -> None:
                opa.requests.append(("DELETE", self.path))
                if self._misbehave("DELETE"):
                    return None
                parts = self._parts()
                if opa.fail_deletes:
                    return self._send(500, {"code": "internal_error", "message": "disk"})
                with opa.lock:
                    parent = opa._walk(parts[:-1]) if parts else None
                    if not parts or not isinstance(parent, dict) or parts[-1] not in parent:
                        return self._send(
                            404, {"code": "resource_not_found", "message": "not found"}
                        )
                    del parent[parts[-1]]
                self._send(204)

            def do_POST(self) -> None:
                opa.requests.append(("POST", self.path))
                if self._misbehave("POST"):
                    return None
                parts = self._parts()
                if not parts:
                    return self._send(404, {"code": "not_found"})
                inp = (self._body() or {}).get("input", {})
                with opa.lock:
                    data = json.loads(json.dumps(opa.data))
                engine = PolicyEngine(opa.policies, data=data)
                value = engine.evaluate("/".join(parts), inp)
                self._send(200, {} if value is None else {"result": value})

        return Handler


@contextmanager
def running_opa() -> Iterator[FakeOpa]:
    opa = FakeOpa()
    server = ThreadingHTTPServer(("127.0.0.1", 0), opa.handler())
    opa.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield opa
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
