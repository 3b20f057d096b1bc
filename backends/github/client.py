"""A small async GitHub REST client: conditional requests, pagination, rate limits.

- Every GET remembers the ETag and body per URL and sends `If-None-Match`; a 304 (which
  costs no rate limit) reuses the remembered body.
- `x-ratelimit-*` headers are kept as the budget; a 403/429 that is a rate limit sets a
  time before which no request is sent at all (`Retry-After`, else the reset time, else a
  minute), and raises `RateLimited`: "retrying in" only where a poll comes again (not
  `polled`: "until"), and "not sent; try after" for a write.
- Reads (GET) go through the shared ClientPolicy (backends.resilience): an adaptive
  timeout within [0.5 s, timeout_s], and a 5xx or transport error retried once within the
  retry budget, after a jittered backoff. A rate limit is never retried (see above); a
  POST is sent once, with the ceiling as its timeout.
- A failed write says which way it failed (backends.contracts): `not_applied` when it was
  never sent (no connection, a rate limit waited out here) or GitHub answered 4xx, and
  `answer_lost` when it went out and no answer came back (a timeout, a dropped
  connection) or the answer was a 5xx: the dispatch may have happened.
- The token is a SecretStr until the moment a request is built; it is never put in a
  message, a repr, or an exception.

httpx is imported when the first client is built, never at module import.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pydantic import SecretStr

from backends.clock import Clock
from backends.contracts import ANSWER_LOST, NOT_APPLIED, noting
from backends.error_text import describe_error, host_of
from backends.github.errors import GitHubError as GitHubError
from backends.github.errors import RateLimited as RateLimited
from backends.github.errors import ServerError as ServerError
from backends.github.errors import message_of
from backends.github.headers import next_link, rate_limit_from_headers, retry_at
from backends.models import RateLimit
from backends.resilience import RETRY_STATUSES, ClientPolicy
from backends.transport_errors import httpx_not_sent, httpx_timeout, httpx_transport

if TYPE_CHECKING:
    import httpx

API_VERSION = "2022-11-28"
CACHE_MAX = 256


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, ServerError) or httpx_transport(exc)


class GitHubClient:
    def __init__(
        self,
        base_url: str,
        token: SecretStr | None,
        *,
        timeout_s: float,
        clock: Clock,
        polled: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.polled = polled  # False: a command that reads and exits; no poll retries
        self.host = host_of(self.base_url)
        self._token = token
        self.timeout_s = timeout_s
        self.policy = ClientPolicy.for_backend(timeout_s)  # this backend's own timeout
        self.clock = clock
        self.budget: RateLimit | None = None
        self.requests = 0  # sent over the wire
        self.not_modified = 0  # of which answered 304
        self._cache: OrderedDict[str, tuple[str, Any]] = OrderedDict()
        self._http: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"GitHubClient({self.base_url!r}, token={'set' if self._token else 'none'})"

    @property
    def has_token(self) -> bool:
        return self._token is not None and bool(self._token.get_secret_value())

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout_s),
                headers={
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": API_VERSION,
                    "User-Agent": "watchfloor",
                },
                follow_redirects=True,
            )
        return self._http

    def _headers(self) -> dict[str, str]:
        if not self.has_token:
            return {}
        assert self._token is not None
        return {"Authorization": f"Bearer {self._token.get_secret_value()}"}

    def url(self, path: str, params: Mapping[str, object] | None = None) -> str:
        query = f"?{urlencode(dict(params))}" if params else ""
        return f"{self.base_url}{path}{query}"

    def _what(self, method: str, url: str) -> str:
        """`GET actions/workflows/x.yml/runs`: the request, short, for an error message."""
        path = url.removeprefix(self.base_url).split("?")[0]
        return f"{method} {re.sub(r'^/repos/[^/]+/[^/]+/', '', path)}"

    def _answered(self, resp: httpx.Response, what: str) -> str:
        """An answer that is an error, as describe_error words one: the cause first, the
        host, then the request: "HTTP 401 from api.github.com: Bad credentials, in GET …"."""
        return f"HTTP {resp.status_code} from {self.host}: {message_of(resp)}, in {what}"

    def _limited(self, until: datetime, now: datetime, method: str) -> RateLimited:
        return RateLimited(until, self.budget, now, write=method != "GET", polled=self.polled)

    def _check_backoff(self, method: str) -> None:
        """No request while backing off, nor with a spent budget before its reset."""
        now = self.clock.now()
        b = self.budget
        if b is None:
            return
        if b.retry_at is None and b.remaining == 0 and b.reset_at is not None and now < b.reset_at:
            self.budget = b = b.model_copy(update={"retry_at": b.reset_at})
        if b.retry_at is not None and now < b.retry_at:
            raise self._limited(b.retry_at, now, method)

    async def _send(
        self, method: str, url: str, headers: dict[str, str], body: Any = None
    ) -> httpx.Response:
        import httpx

        what = self._what(method, url)

        async def attempt(limit: float) -> httpx.Response:
            return await self._attempt(method, url, headers, body, limit)

        if method == "GET":  # a read: adaptive timeout, budgeted retries
            self._check_backoff(method)
            try:
                return await self.policy.call(
                    attempt, retryable=_retryable, is_timeout=httpx_timeout
                )
            except (httpx.HTTPError, TimeoutError) as exc:
                raise GitHubError(f"{describe_error(exc)}, in {what}") from None
        try:  # a write: once, and its error says whether it went out
            self._check_backoff(method)
            return await attempt(self.policy.write_timeout_s)
        except RateLimited as exc:  # waited out here, or GitHub's 403/429: not done
            raise noting(exc, NOT_APPLIED) from None
        except (httpx.HTTPError, TimeoutError) as exc:
            err = GitHubError(f"{describe_error(exc)}, in {what}")
            raise noting(err, NOT_APPLIED if httpx_not_sent(exc) else ANSWER_LOST) from None

    async def _attempt(
        self, method: str, url: str, headers: dict[str, str], body: Any, limit: float
    ) -> httpx.Response:
        resp = await self._client().request(
            method, url, headers={**self._headers(), **headers}, json=body, timeout=limit
        )
        self.requests += 1
        now = self.clock.now()
        self.budget = rate_limit_from_headers(resp.headers, self.budget)
        if self.budget is not None and self.budget.retry_at and now >= self.budget.retry_at:
            self.budget = self.budget.model_copy(update={"retry_at": None})
        if resp.status_code in (403, 429):
            msg = message_of(resp)
            until = retry_at(resp.status_code, resp.headers, now, msg)
            if until is not None:
                self.budget = (self.budget or RateLimit()).model_copy(update={"retry_at": until})
                raise self._limited(until, now, method)
        if method == "GET" and resp.status_code in RETRY_STATUSES:
            what = self._what(method, url)
            raise ServerError(self._answered(resp, what), resp.status_code)
        return resp

    async def get(self, path: str, params: Mapping[str, object] | None = None) -> Any:
        """GET a JSON document; None on 404."""
        doc, _ = await self._get_url(self.url(path, params))
        return doc

    async def _get_url(self, url: str) -> tuple[Any, str | None]:
        cached = self._cache.get(url)
        headers = {"If-None-Match": cached[0]} if cached is not None else {}
        resp = await self._send("GET", url, headers)
        link = resp.headers.get("link")
        if resp.status_code == 304 and cached is not None:
            self.not_modified += 1
            self._cache.move_to_end(url)
            return cached[1], link
        if resp.status_code == 404:
            return None, None
        if resp.status_code != 200:
            raise GitHubError(self._answered(resp, self._what("GET", url)))
        try:
            doc = resp.json()
        except ValueError:
            raise GitHubError(f"not JSON from {self.host}, in {self._what('GET', url)}") from None
        etag = resp.headers.get("etag")
        if etag:
            self._cache[url] = (etag, doc)
            self._cache.move_to_end(url)
            while len(self._cache) > CACHE_MAX:
                self._cache.popitem(last=False)
        return doc, link

    async def get_pages(
        self, path: str, params: Mapping[str, object], *, key: str, want: int, max_pages: int
    ) -> list[Any]:
        """Items under `key` across pages (following `Link: rel="next"`) until `want` items
        or `max_pages` pages."""
        items: list[Any] = []
        url: str | None = self.url(path, params)
        pages = 0
        while url is not None and pages < max_pages and len(items) < want:
            doc, link = await self._get_url(url)
            pages += 1
            if doc is None and pages == 1:
                raise GitHubError(
                    f"HTTP 404 from {self.host}: Not Found, in {self._what('GET', path)}"
                )
            got = doc.get(key) if isinstance(doc, dict) else None
            if not isinstance(got, list) or not all(isinstance(i, dict) for i in got):
                # a proxy's error page or a changed API: an error (the pane keeps its last
                # data), never an empty train
                raise GitHubError(
                    f"unexpected answer to {self._what('GET', path)}: no list of {key!r}"
                )
            items.extend(got)
            url = next_link(link)
            if url is not None and not url.startswith(self.base_url + "/"):
                break  # never send the token to another host
        return items[:want]

    async def post(self, path: str, body: Mapping[str, Any]) -> int:
        """POST JSON; returns the status code (2xx), raises GitHubError otherwise."""
        resp = await self._send("POST", self.url(path), {}, dict(body))
        if resp.status_code // 100 != 2:
            err = GitHubError(self._answered(resp, self._what("POST", path)))
            # a 4xx says no; a 5xx says something broke, not whether it was done
            raise noting(err, ANSWER_LOST if resp.status_code >= 500 else NOT_APPLIED)
        return resp.status_code

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
