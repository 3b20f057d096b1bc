"""Which errors mean "no answer" or "a timeout", for each kind of client the adapters use
(httpx; requests/urllib3 and sockets), so the client policy knows what to retry. The client
libraries are never imported here: they are loaded by the time one of their errors exists.
"""

from __future__ import annotations

import sys


def httpx_timeout(exc: BaseException) -> bool:
    """A timeout, ours (TimeoutError) or httpx's. Never imports httpx."""
    httpx = sys.modules.get("httpx")
    return isinstance(exc, TimeoutError) or (
        httpx is not None and isinstance(exc, httpx.TimeoutException)
    )


def httpx_transport(exc: BaseException) -> bool:
    """The request did not get an answer: connect/read/protocol errors and timeouts."""
    httpx = sys.modules.get("httpx")
    return httpx_timeout(exc) or (httpx is not None and isinstance(exc, httpx.TransportError))


def httpx_not_sent(exc: BaseException) -> bool:
    """The request never went out: no connection was made (refused, not resolved, a
    connect or pool timeout), or it was not a request httpx could send. Any other
    transport error or timeout came after it was sent: its answer was lost."""
    httpx = sys.modules.get("httpx")
    if httpx is None:
        return False
    before = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
    return isinstance(exc, (*before, httpx.UnsupportedProtocol, httpx.LocalProtocolError))


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps: requests and urllib3 nest the cause in args[0],
    `.reason`, `__cause__` or `__context__` (ConnectionError(MaxRetryError(ReadTimeout)))."""
    out: list[BaseException] = []
    todo = [exc]
    while todo and len(out) < 8:
        e = todo.pop()
        if any(e is o for o in out):
            continue
        out.append(e)
        nested = [*e.args[:1], getattr(e, "reason", None), e.__cause__, e.__context__]
        todo += [n for n in nested if isinstance(n, BaseException)]
    return out


def blocking_timeout(exc: BaseException) -> bool:
    """A timeout from a blocking client (requests, urllib3, sockets), however wrapped.
    Never imports them: they are loaded by the time one of their errors exists."""
    u3 = sys.modules.get("urllib3.exceptions")
    rq = sys.modules.get("requests.exceptions")
    kinds: tuple[type[BaseException], ...] = (TimeoutError,)
    kinds += (u3.TimeoutError,) if u3 is not None else ()
    kinds += (rq.Timeout,) if rq is not None else ()
    return any(isinstance(e, kinds) for e in _chain(exc))


def blocking_transport(exc: BaseException) -> bool:
    """No answer from a blocking client: refused, reset, protocol error, timeout."""
    u3 = sys.modules.get("urllib3.exceptions")
    kinds: tuple[type[BaseException], ...] = (OSError,)  # requests' errors are OSErrors
    kinds += (u3.HTTPError,) if u3 is not None else ()
    return blocking_timeout(exc) or isinstance(exc, kinds)
