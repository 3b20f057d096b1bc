"""One line that says why a call failed, for a person: the cause first, then the host.

    read timed out after 5 s (127.0.0.1:9090)
    connection refused (127.0.0.1:8181)
    HTTP 500 from 127.0.0.1:8181: oops
    TLS handshake failed (the server speaks plain HTTP?) (127.0.0.1:9090)
    connection closed without a response (127.0.0.1:9090)
    not a Prometheus API answer (127.0.0.1:9464)

The client libraries wrap the cause: requests in ConnectionError(MaxRetryError(
ReadTimeoutError)) whose text starts "HTTPConnectionPool(host=…): Max retries exceeded
with url: <the whole encoded query>", urllib3 (kubernetes) in MaxRetryError, httpx in
ReadTimeout with no text at all. The chain is walked for the cause and for the host it was
talking to (httpx's and requests' request, urllib3's pool or connection); `where` names the
host when no error in the chain does (prometheus-api-client's HTTP errors). An error that
is none of these keeps its type and first line, with any URL cut at its query string; one
whose class says its message already reads as a cause (`SAYS_WHAT = True`: GitHubError's
"connection refused (api.github.com), in GET …") keeps its first line alone.
The client libraries are never imported here: they are loaded when one of their errors
exists.
"""

from __future__ import annotations

import ast
import http.client
import json
import re
import socket
import ssl
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from backends.error_closed import client_is, closed_words
from backends.not_the_api import NotTheApi

# A source that answered, but not with what the contract says (backends/plugin_guard.py):
# what its error starts with, so that a pane says so rather than "has not answered"
BAD_DATA = "answered with bad data"
_TIMEOUT_VALUE = re.compile(r"timeout=([0-9.]+)")
_PROM_STATUS = re.compile(r"HTTP Status Code (\d{3}) \((.*)\)\s*$", re.S)
_URL_QUERY = re.compile(r"((?:https?://|\s/)[^\s?'\"]*)\?[^\s'\")]*")
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")
_WRAPPERS = ("HTTPConnectionPool(", "HTTPSConnectionPool(", "Max retries exceeded")
DETAIL_MAX = 80


# OpenSSL's reasons when the other end answers a TLS hello in plain text
_PLAIN_HTTP = {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "UNKNOWN_PROTOCOL", "HTTP_REQUEST"}


CLIENTS = frozenset(
    {
        *("requests", "urllib3", "httpx", "httpcore", "anyio", "kubernetes"),
        *("prometheus_api_client", "aiomqtt"),
    }
)


def _client_error(e: BaseException) -> bool:
    """An error of a client library, or of the socket under it: one worth unwrapping. Our
    own (ActionRefused, KubeError, GitHubError...) say what they mean: never looked into."""
    return type(e).__module__.split(".")[0] in CLIENTS or isinstance(e, OSError)


def chain(exc: BaseException) -> list[BaseException]:
    """The error and what it wraps, outermost first, for a client library's error:
    requests and urllib3 nest the cause in args[0] or `.reason`, httpx in `__cause__`."""
    out: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and len(out) < 10 and not any(e is o for o in out):
        out.append(e)
        if not _client_error(e):
            break
        context = None if e.__suppress_context__ else e.__context__
        # urllib3's ProtocolError("Connection aborted.", RemoteDisconnected(...)): any arg
        nested = [getattr(e, "reason", None), *e.args, e.__cause__, context]
        e = next((n for n in nested if isinstance(n, BaseException)), None)
    return out


def _hostport(host: str | None, port: int | None) -> str:
    if not host:
        return ""
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}" if port else host


def host_of(url: str) -> str:
    """'127.0.0.1:9090' for 'http://127.0.0.1:9090/prom?x=1': where a backend is."""
    try:
        parts = urlsplit(url)
        return _hostport(parts.hostname, parts.port)
    except ValueError:
        return ""


def _host(exc: BaseException) -> str:
    """The host:port this error was talking to, if it says."""
    try:  # httpx: .request raises RuntimeError when it was never set
        request: Any = getattr(exc, "request", None)
    except Exception:
        request = None
    url = getattr(request, "url", None)
    if url is not None:
        return host_of(str(url))
    state = vars(exc)  # not urllib3's deprecated `pool` property on NewConnectionError
    for key in ("pool", "conn"):
        target = state.get(key)
        if target is not None and isinstance(getattr(target, "host", None), str):
            return _hostport(target.host, getattr(target, "port", None))
    return ""


def _seconds(value: float) -> str:
    return f"{round(value, 1):g}" if value >= 0.1 else f"{value:.2g}"


def _timeout_words(e: BaseException) -> str | None:
    """'read timed out after 5 s' for a client's timeout, None for anything else."""
    phase = ""
    if client_is(e, "urllib3.exceptions", "NewConnectionError"):  # a ConnectTimeoutError, oddly
        return None
    if client_is(e, "httpx", "ConnectTimeout") or client_is(
        e, "urllib3.exceptions", "ConnectTimeoutError"
    ):
        phase = "connect"
    elif client_is(e, "httpx", "ReadTimeout") or client_is(
        e, "urllib3.exceptions", "ReadTimeoutError"
    ):
        phase = "read"
    elif client_is(e, "httpx", "WriteTimeout"):
        phase = "write"
    elif client_is(e, "httpx", "PoolTimeout"):
        phase = "pool"
    else:
        return None
    limit: float | None = None
    m = _TIMEOUT_VALUE.search(str(e))
    if m is not None:
        try:
            limit = float(m.group(1).rstrip("."))
        except ValueError:
            limit = None
    else:
        try:
            limits = e.request.extensions.get("timeout", {})  # type: ignore[attr-defined]
            limit = limits.get(phase) if isinstance(limits, dict) else None
        except (AttributeError, RuntimeError):
            limit = None
    after = f" after {_seconds(limit)} s" if isinstance(limit, int | float) else ""
    if phase == "pool":
        return f"no free connection{after.replace(' after', ' within')}"
    return f"{phase} timed out{after}"


def _detail(body: object) -> str:
    """What an error answer's body says, short: JSON's message or error, or one line of
    plain text; nothing for HTML or anything long."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    text = text.strip()
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        said = doc.get("message") or doc.get("error")
        text = said.strip() if isinstance(said, str) else ""
    elif doc is not None or text.startswith("<"):
        text = ""
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= DETAIL_MAX else line[: DETAIL_MAX - 1] + "…"


def _prom_body(raw: str) -> str:
    """prometheus-api-client puts `repr(response.content)` in its message."""
    try:
        body = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return ""
    return _detail(body)


def _status(e: BaseException) -> tuple[int, str] | None:
    """An HTTP error answer: its status and what its body says."""
    if client_is(e, "httpx", "HTTPStatusError") or client_is(e, "requests.exceptions", "HTTPError"):
        resp: Any = getattr(e, "response", None)
        code = getattr(resp, "status_code", None)
        if isinstance(code, int):
            try:
                return code, _detail(resp.text)
            except Exception:  # a streamed body not read: the status says enough
                return code, ""
    if type(e).__name__ == "PrometheusApiClientException":
        m = _PROM_STATUS.match(str(e))
        if m is not None:
            return int(m.group(1)), _prom_body(m.group(2))
    code = getattr(e, "status", None)
    if client_is(e, "kubernetes.client.exceptions", "ApiException") and isinstance(code, int):
        return code, _detail(getattr(e, "body", ""))
    return None


def _transport(e: BaseException) -> bool:
    return (
        isinstance(e, OSError)  # requests' errors are OSErrors too
        or client_is(e, "httpx", "TransportError")
        or client_is(e, "urllib3.exceptions", "HTTPError")
    )


def _os_words(e: BaseException) -> str | None:
    if isinstance(e, ConnectionRefusedError):
        return "connection refused"
    if isinstance(e, ConnectionResetError) and not isinstance(e, http.client.RemoteDisconnected):
        return "connection reset"
    if isinstance(e, socket.gaierror):
        return "host name not resolved"
    return None


def _tls_words(e: BaseException) -> str | None:
    """What went wrong in a TLS handshake, in words: OpenSSL's "[SSL: WRONG_VERSION_NUMBER]
    wrong version number (_ssl.c:1006)" filled the line and hid the host."""
    if isinstance(e, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {e.verify_message or e.reason}"
    if not isinstance(e, ssl.SSLError):
        return None
    reason = str(e.reason or "")
    if reason in _PLAIN_HTTP:
        return "TLS handshake failed (the server speaks plain HTTP?)"
    return f"TLS handshake failed: {reason.lower().replace('_', ' ') or 'no reason given'}"


def _said(chain_: Iterable[BaseException]) -> str:
    """The innermost error's own words, without the wrappers' "HTTPConnectionPool(…"."""
    words = ""
    for e in chain_:
        text = str(e).strip()
        if text and not text.startswith(_WRAPPERS):
            words = text.splitlines()[0]
    words = _ERRNO.sub("", words).rstrip(".")
    return words[:1].lower() + words[1:]


def _strip_queries(text: str) -> str:
    return _URL_QUERY.sub(r"\1?…", text)


def _with_host(words: str, host: str) -> str:
    return f"{words} ({host})" if host else words


def describe_error(exc: BaseException, where: str = "") -> str:
    """One line, the cause first: 'read timed out after 5 s (127.0.0.1:9090)'. `where`
    is the host to name when the error itself does not."""
    if isinstance(exc, NotTheApi):
        return _with_host(str(exc), where)
    if not _client_error(exc):
        return _own(exc)
    errors = chain(exc)
    host = next((h for e in errors if (h := _host(e))), "") or where
    status = next((s for e in errors if (s := _status(e)) is not None), None)
    if status is not None:
        code, detail = status
        said = f"HTTP {code} from {host}" if host else f"HTTP {code}"
        return f"{said}: {detail}" if detail else said
    tls = next((w for e in errors if (w := _tls_words(e)) is not None), None)
    if tls is not None:
        return _with_host(tls, host)
    # refused before timeouts: urllib3's NewConnectionError is a ConnectTimeoutError
    os_words = next((w for e in errors if (w := _os_words(e)) is not None), None)
    if os_words is not None:
        return _with_host(os_words, host)
    closed = next((w for e in errors if (w := closed_words(e)) is not None), None)
    if closed is not None:
        return _with_host(closed, host)
    timeout = next((t for e in errors if (t := _timeout_words(e)) is not None), None)
    if timeout is not None:
        return _with_host(timeout, host)
    if isinstance(exc, TimeoutError) and type(exc) is TimeoutError:
        said = _said(errors[:1]) or "no answer in time"
        return _with_host(said, host)
    if _transport(exc) and (said := _said(errors)):
        return _with_host(_strip_queries(said), host)
    if client_is(exc, "aiomqtt", "MqttError") and (said := _said(errors)):  # "[Errno 111] Conn…"
        return _with_host(said, host)
    return _own(exc)


def _own(exc: BaseException) -> str:
    """An error that is not a client's: its type and its first line; only the line when
    its class says the message names the cause itself (`SAYS_WHAT`): a class name in front
    of "connection refused (host), in GET …" pushed the host out of a pane's border."""
    text = str(exc).strip()
    first = _strip_queries(text.splitlines()[0]) if text else ""
    if first and getattr(type(exc), "SAYS_WHAT", False) is True:
        return first
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
