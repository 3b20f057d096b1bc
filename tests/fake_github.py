"""A local HTTP server (stdlib, in a thread, 127.0.0.1, free port) that answers the
GitHub REST endpoints the `github` backend uses, the way GitHub documents them:

- GET  /repos/{o}/{r}/actions/workflows/{file}/runs   paginated (per_page, page, Link)
- GET  /repos/{o}/{r}/actions/runs/{id}/jobs           paginated
- GET  /repos/{o}/{r}/releases/latest                  404 when there is none
- GET  /repos/{o}/{r}/releases                         newest first (per_page, page)
- POST /repos/{o}/{r}/actions/workflows/{file}/dispatches   204, needs a token

Every GET has a strong ETag; a matching If-None-Match gets 304 and costs no rate limit.
Rate limit: x-ratelimit-* headers on every response; at 0 remaining, 403 "API rate limit
exceeded". `throttle()` makes the next requests 429/403 with Retry-After (a secondary
limit). Requests are recorded for the tests to inspect.

Fault hooks for the client-policy tests: `fail_next(n, status)` answers the next n
requests (of a method, or any) with a 5xx, and `delay_s` holds every reply that long.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.github_payloads import OWNER, REPO, run, ts

DOCS = "https://docs.github.com/rest"
_RUNS = re.compile(r"^/repos/([^/]+)/([^/]+)/actions/workflows/([^/]+)/runs$")
_JOBS = re.compile(r"^/repos/([^/]+)/([^/]+)/actions/runs/(\d+)/jobs$")
_LATEST = re.compile(r"^/repos/([^/]+)/([^/]+)/releases/latest$")
_RELEASES = re.compile(r"^/repos/([^/]+)/([^/]+)/releases$")
_DISPATCH = re.compile(r"^/repos/([^/]+)/([^/]+)/actions/workflows/([^/]+)/dispatches$")


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int
    body: Any = None


@dataclass
class FakeGitHub:
    token: str = ""  # the token this "account" has; requests with another one get 401
    data: dict[str, Any] = field(default_factory=dict)
    limit: int = 5000
    remaining: int = 5000
    reset_in_s: int = 3600
    seen: list[Seen] = field(default_factory=list)
    base_url: str = ""
    _throttle: list[tuple[int, int]] = field(default_factory=list)  # (status, retry_after)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay_s: float = 0.0  # every reply is held this long
    login: str = "watchfloor-bot"  # the token's account: who GitHub says dispatched a run
    _fail: list[tuple[str, int]] = field(default_factory=list)  # (method or "*", status)

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
        for i, (m, status) in enumerate(self._fail):
            if m in (method, "*"):
                del self._fail[i]
                return status
        return None

    def throttle(self, status: int, retry_after: int, times: int = 1) -> None:
        with self.lock:
            self._throttle.extend([(status, retry_after)] * times)

    def requests(self, method: str = "GET", contains: str = "") -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.method == method and contains in s.path]

    # --- answering ----------------------------------------------------------------------

    def _rate_headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-used": str(self.limit - self.remaining),
            "x-ratelimit-reset": str(int(time.time()) + self.reset_in_s),
            "x-ratelimit-resource": "core",
        }

    def answer(
        self, method: str, target: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any]:
        url = urlsplit(target)
        path, query = url.path, {k: v[-1] for k, v in parse_qs(url.query).items()}
        auth = headers.get("authorization", "")
        with self.lock:
            status, out, doc = self._answer(method, path, query, headers, auth, body)
            self.seen.append(Seen(method, path, query, dict(headers), status, body))
        return status, out, doc

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        auth: str,
        body: Any,
    ) -> tuple[int, dict[str, str], Any]:
        if auth and auth != f"Bearer {self.token}":
            return 401, {}, {"message": "Bad credentials", "documentation_url": DOCS}
        if (failed := self._injected(method)) is not None:
            return failed, {}, {"message": "Server Error", "documentation_url": DOCS}
        if self._throttle:
            status, after = self._throttle.pop(0)
            msg = "You have exceeded a secondary rate limit. Please wait a few minutes."
            return status, {"retry-after": str(after)}, {"message": msg, "documentation_url": DOCS}
        if self.remaining <= 0:
            msg = "API rate limit exceeded for 127.0.0.1."
            return 403, self._rate_headers(), {"message": msg, "documentation_url": DOCS}
        if method == "POST":
            return self._dispatch(path, auth, body)
        found = self._get(path, query)
        if found is None:
            self.remaining -= 1
            return 404, self._rate_headers(), {"message": "Not Found", "documentation_url": DOCS}
        doc, link = found
        etag = '"' + hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest() + '"'
        out = {"etag": etag}
        if link:
            out["link"] = link
        if headers.get("if-none-match") == etag:
            return 304, {**out, **self._rate_headers()}, None  # free: no rate limit used
        self.remaining -= 1
        return 200, {**out, **self._rate_headers()}, doc

    def _page(self, path: str, query: dict[str, str], key: str, items: list[Any]) -> Any:
        per_page = min(100, int(query.get("per_page", "30")))
        page = int(query.get("page", "1"))
        last = max(1, -(-len(items) // per_page))
        doc = {"total_count": len(items), key: items[(page - 1) * per_page : page * per_page]}

        def href(p: int) -> str:
            return f"<{self.base_url}{path}?{urlencode({**query, 'page': p})}>"

        links = []
        if page < last:
            links += [f'{href(page + 1)}; rel="next"', f'{href(last)}; rel="last"']
        if page > 1:
            links += [f'{href(1)}; rel="first"', f'{href(page - 1)}; rel="prev"']
        return doc, ", ".join(links)

    def _get(self, path: str, query: dict[str, str]) -> tuple[Any, str] | None:
        if (m := _RUNS.match(path)) and m.group(1, 2) == (OWNER, REPO):
            runs = self.data["runs"].get(m.group(3))
            return None if runs is None else self._page(path, query, "workflow_runs", runs)
        if (m := _JOBS.match(path)) and m.group(1, 2) == (OWNER, REPO):
            jobs = self.data["jobs"].get(int(m.group(3)))
            return None if jobs is None else self._page(path, query, "jobs", jobs)
        if (m := _LATEST.match(path)) and m.group(1, 2) == (OWNER, REPO):
            rel = self.data.get("release")
            return None if rel is None else (rel, "")
        if (m := _RELEASES.match(path)) and m.group(1, 2) == (OWNER, REPO):
            return self._releases(query), ""
        return None

    def _releases(self, query: dict[str, str]) -> list[Any]:
        """`data["releases"]`, newest first; without it, the latest release alone."""
        listed = self.data.get("releases")
        if listed is None:
            listed = [self.data["release"]] if self.data.get("release") else []
        per_page = min(100, int(query.get("per_page", "30")))
        page = int(query.get("page", "1"))
        return list(listed[(page - 1) * per_page : page * per_page])

    def _dispatch(self, path: str, auth: str, body: Any) -> tuple[int, dict[str, str], Any]:
        m = _DISPATCH.match(path)
        if m is None or m.group(1, 2) != (OWNER, REPO):
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
        if not auth:
            return 401, {}, {"message": "Requires authentication", "documentation_url": DOCS}
        runs = self.data["runs"].get(m.group(3))
        if runs is None:
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
        if not isinstance(body, dict) or not isinstance(body.get("ref"), str):
            return 422, {}, {"message": "Invalid request: ref is required"}
        self.remaining -= 1
        now = datetime.now(UTC)
        number = (runs[0]["run_number"] + 1) if runs else 1
        queued = run(8000 + number, number, m.group(3), "queued", None, now, now)
        queued["created_at"], queued["run_started_at"] = ts(now), ts(now)
        queued["actor"] = queued["triggering_actor"] = {"login": self.login, "type": "User"}
        runs.insert(0, queued)
        self.data["jobs"][queued["id"]] = []
        return 204, self._rate_headers(), None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.server.fake.delay_s:
            time.sleep(self.server.fake.delay_s)
        status, out, doc = self.server.fake.answer(method, self.path, headers, body)
        payload = b"" if doc is None or status in (204, 304) else json.dumps(doc).encode()
        try:
            self.send_response(status)
            for k, v in out.items():
                self.send_header(k, v)
            if payload:
                self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGitHub


@contextmanager
def serve(fake: FakeGitHub) -> Iterator[FakeGitHub]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def future(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)
