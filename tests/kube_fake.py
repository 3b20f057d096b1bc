"""A local HTTP server that follows the Kubernetes REST API for networking.istio.io
VirtualServices, as far as the kube adapter uses it (the real API server cannot run here).

Paths: /apis/networking.istio.io/{version}[/namespaces/{ns}]/virtualservices[/{name}].
This module is the HTTP side (bearer-token auth, 401; JSON bodies; the `running` server)
and a typical VirtualService to seed it with; the stored objects, their semantics and the
test controls (`fail`, `slow`, `interfere`) live in tests/kube_store.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.kube_store import TOKEN, FakeKube, status

__all__ = ["TOKEN", "FakeKube", "running", "virtual_service"]


def _handler(api: FakeKube) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes

        def log_message(self, *_: Any) -> None:
            return

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if api.delay_s:
                time.sleep(api.delay_s)
            if self.headers.get("Authorization") != f"Bearer {api.token}":
                code, doc = 401, status(401, "Unauthorized", "Unauthorized")
            else:
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    code, doc = 400, status(400, "BadRequest", "body is not JSON")
                else:
                    url = urlsplit(self.path)
                    code, doc = api.handle(self.command, url.path, parse_qs(url.query), body)
            out = json.dumps(doc).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


@contextmanager
def running(api: FakeKube | None = None) -> Iterator[FakeKube]:
    api = api or FakeKube()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def virtual_service(ns: str, name: str, host: str, **extra: Any) -> dict[str, Any]:
    """A typical pre-existing VirtualService: two routes, a retry policy, Helm labels."""
    obj: dict[str, Any] = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": {"app.kubernetes.io/managed-by": "Helm", "app": host},
            "annotations": {"meta.helm.sh/release-name": host},
        },
        "spec": {
            "hosts": [host],
            "http": [
                {
                    "name": "v2-canary",
                    "match": [{"headers": {"x-canary": {"exact": "1"}}}],
                    "route": [{"destination": {"host": host, "subset": "v2"}}],
                    "timeout": "2s",
                },
                {
                    "name": "default",
                    "route": [
                        {"destination": {"host": host, "subset": "v1"}, "weight": 90},
                        {"destination": {"host": host, "subset": "v2"}, "weight": 10},
                    ],
                    "retries": {"attempts": 3, "perTryTimeout": "500ms"},
                },
            ],
        },
    }
    obj.update(extra)
    return obj
