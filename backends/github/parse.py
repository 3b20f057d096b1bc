"""Small parsers shared by the GitHub mapping: timestamps, integers, name patterns. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any

Payload = Mapping[str, Any]  # a decoded JSON object of GitHub's REST API (2022-11-28)


def parse_time(value: object) -> datetime | None:
    """GitHub timestamps are ISO 8601 ("2026-03-16T09:00:00Z", or with an offset)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.astimezone(UTC) if t.tzinfo is not None else None


def matches(name: str, patterns: Iterable[str]) -> bool:
    low = name.strip().lower()
    return any(fnmatchcase(low, p.lower()) for p in patterns)


def parse_int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
