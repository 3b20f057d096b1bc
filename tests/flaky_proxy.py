"""A reverse proxy that can be told to misbehave, for fault tests of HTTP adapters.

`FlakyProxy(upstream)` listens on a free 127.0.0.1 port (stdlib, in a thread) and, in mode

- ``ok``: forwards every request to `upstream` and returns its answer unchanged;
- ``500``: answers 500 Internal Server Error (a JSON body, like most APIs send);
- ``slow``: holds each request `slow_s` seconds, then forwards it (a client with a shorter
  timeout gives up first);
- ``garbage``: answers 200 ``application/json`` with a body that is not JSON;
- ``shape``: answers 200 with valid JSON of the wrong shape (`shape_body`, default a list
  where an object is expected).

The mode can be switched at any time from any thread; requests already held in ``slow``
are released at once when the proxy stops. What was answered in which mode is counted in
`answered`, so a test can tell that the adapter really met the fault.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import urlsplit

Mode = Literal["ok", "500", "slow", "garbage", "shape"]
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


class FlakyProxy:
    def __init__(self, upstream: str, *, slow_s: float = 5.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"not a plain http upstream: {upstream!r}")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.mode: Mode = "ok"
        self.slow_s = slow_s
        self.shape_body: Any = ["not", "what", "you", "asked", "for"]
        self.answered: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def set_mode(self, mode: Mode) -> None:
        with self._lock:
            self.mode = mode

    def count(self, mode: Mode) -> int:
        with self._lock:
            return self.answered[mode]

    def start(self) -> FlakyProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # releases requests held in "slow"
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FlakyProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- answering (in the server's request threads) ------------------------------------

    def _answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        with self._lock:
            mode = self.mode
            self.answered[mode] += 1
        if mode == "500":
            doc = {"message": "Internal Server Error (flaky proxy)"}
            return 500, [("content-type", "application/json")], json.dumps(doc).encode()
        if mode == "garbage":
            return 200, [("content-type", "application/json")], b"<html>\x00{not json at all"
        if mode == "shape":
            return 200, [("content-type", "application/json")], json.dumps(self.shape_body).encode()
        if mode == "slow" and self._closing.wait(self.slow_s):
            return 503, [], b""  # shutting down
        return self._forward(method, path, headers, body)

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=30)
        try:
            fwd = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(method, path, body=body or None, headers=fwd)
            resp = conn.getresponse()
            data = resp.read()
            out = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
            return resp.status, out, data
        except OSError as exc:
            return 502, [("content-type", "text/plain")], f"bad gateway: {exc}".encode()
        finally:
            conn.close()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items()}
        status, out, data = self.server.proxy._answer(self.command, self.path, headers, body)
        try:
            self.send_response(status)
            for k, v in out:
                self.send_header(k, v)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up (a timeout): nothing to do

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: FlakyProxy

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (it timed out, or the app closed) is not news."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
