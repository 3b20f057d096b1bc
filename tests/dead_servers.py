"""Backends that are down, four ways, on free 127.0.0.1 ports (stdlib, in threads):

- `hanging()`: accepts connections and never answers (a hung process, a black hole);
- `refusing()`: a port nothing listens on (connection refused);
- `failing(status, body)`: answers every request with that status and body;
- `closing(reply)`: reads each request, sends `reply` (none: closes with no answer,
  as a Prometheus restarting did) and closes the connection.

Each is a context manager giving the port.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def hanging() -> Iterator[int]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)  # the kernel completes the handshakes: connect works, no answer comes
    try:
        yield srv.getsockname()[1]
    finally:
        srv.close()


@contextmanager
def refusing() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    yield port


@contextmanager
def failing(status: int = 500, body: bytes = b"oops\n") -> Iterator[int]:
    class Failing(BaseHTTPRequestHandler):
        def answer(self) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PUT = do_POST = do_DELETE = answer

        def log_message(self, *args: object) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()


@contextmanager
def closing(reply: bytes = b"") -> Iterator[int]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)

    def serve() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return  # closed: the test is over
            with conn:
                try:
                    conn.recv(65536)
                    conn.sendall(reply)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield srv.getsockname()[1]
    finally:
        srv.close()
