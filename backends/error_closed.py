"""A connection the other end closed (or answered with something that is not HTTP), in
words, as each client library raises it (backends/error_text.py says the rest)."""

from __future__ import annotations

import http.client
import sys

CLOSED = "connection closed without a response"
CUT_SHORT = "connection closed before the whole answer came"
NOT_HTTP = "answered with something that is not HTTP"


def client_is(exc: BaseException, module: str, *names: str) -> bool:
    """isinstance against a class of a client library, if that library is loaded."""
    mod = sys.modules.get(module)
    kinds = tuple(k for n in names if isinstance(k := getattr(mod, n, None), type))
    return bool(kinds) and isinstance(exc, kinds)


def closed_words(e: BaseException) -> str | None:
    """A connection the other end closed, or answered with something not HTTP, in words:
    requests said "('Connection aborted.', RemoteDisconnected('Remote end closed connection
    without response'))", httpx "Server disconnected without sending a response"."""
    if isinstance(e, http.client.RemoteDisconnected):  # a ConnectionResetError, not reset
        return CLOSED
    if isinstance(e, http.client.IncompleteRead):
        return CUT_SHORT
    if isinstance(e, http.client.BadStatusLine):
        return NOT_HTTP
    text = str(e).strip().lower()
    if client_is(e, "httpx", "RemoteProtocolError") or client_is(
        e, "httpcore", "RemoteProtocolError"
    ):
        if text.startswith("server disconnected without sending a response"):
            return CLOSED
        if text.startswith("peer closed connection without sending complete message body"):
            return CUT_SHORT
        if text.startswith("illegal status line"):
            return NOT_HTTP
    if client_is(e, "urllib3.exceptions", "ProtocolError") and "incompleteread" in text:
        return CUT_SHORT
    if not text and (client_is(e, "httpx", "ReadError") or client_is(e, "httpcore", "ReadError")):
        return "connection broken while reading the answer"
    if not text and (client_is(e, "httpx", "WriteError") or client_is(e, "httpcore", "WriteError")):
        return "connection broken while sending the request"
    return None
