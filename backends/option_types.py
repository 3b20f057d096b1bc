"""Types the adapters' options share. `HttpUrl`: a server's base address, checked when the
configuration is (`watchfloor config check`), not at the first request, where a typo read
as "connection refused" in the pane. It stays the string that was written."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator


def http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an http:// or https:// address with a host, e.g. http://127.0.0.1:9090")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number or out of range)
    except ValueError:
        raise ValueError("the port is not a number from 0 to 65535") from None
    return value


HttpUrl = Annotated[str, AfterValidator(http_url)]
