"""What GitHub's response headers say: the next page, the rate-limit budget, and when a
rate-limited request may be retried. Pure; no I/O.

Headers are any case-insensitive mapping, or a dict with lower-case keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from backends.github.parse import parse_int
from backends.models import RateLimit

SECONDARY_WAIT_S = 60.0  # GitHub: without retry-after, wait at least a minute
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')


def next_link(link_header: str | None) -> str | None:
    """The rel="next" URL of a `Link` header, or None on the last page."""
    if not link_header:
        return None
    for url, rel in _LINK.findall(link_header):
        if "next" in rel.split():
            return str(url)
    return None


def rate_limit_from_headers(
    headers: Mapping[str, str], previous: RateLimit | None = None
) -> RateLimit | None:
    """The budget the response reports (`x-ratelimit-*`), else what was known before."""
    limit = parse_int(headers.get("x-ratelimit-limit"))
    remaining = parse_int(headers.get("x-ratelimit-remaining"))
    reset = parse_int(headers.get("x-ratelimit-reset"))
    if limit is None and remaining is None:
        return previous
    return RateLimit(
        limit=limit,
        remaining=remaining,
        reset_at=datetime.fromtimestamp(reset, UTC) if reset is not None else None,
        retry_at=previous.retry_at if previous is not None else None,
    )


def retry_at(
    status: int, headers: Mapping[str, str], now: datetime, message: str = ""
) -> datetime | None:
    """When a 403/429 may be retried, per GitHub's rate-limit rules; None if it is not
    a rate limit (a plain 403 is a permission problem)."""
    if status not in (403, 429):
        return None
    after = headers.get("retry-after")
    if after:
        secs = parse_int(after)
        if secs is not None:
            return now + timedelta(seconds=max(0, secs))
        try:
            when = parsedate_to_datetime(after)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(now, when.astimezone(UTC))
    if parse_int(headers.get("x-ratelimit-remaining")) == 0:
        reset = parse_int(headers.get("x-ratelimit-reset"))
        if reset is not None:
            return max(now, datetime.fromtimestamp(reset, UTC))
        return now + timedelta(seconds=SECONDARY_WAIT_S)
    if status == 429 or "rate limit" in message.lower():
        return now + timedelta(seconds=SECONDARY_WAIT_S)
    return None
