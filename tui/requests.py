"""Turning what a person typed (modal or command line) into a GrantRequest, with a clear
message for each bad field instead of a pydantic error dump. Pure functions."""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import ValidationError

from backends.models import GrantRequest

_TTL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, None: 60}  # a bare number is minutes
DEFAULT_TTL = "30m"


class BadInput(ValueError):
    """What the person typed cannot be a request; the message says which field and why."""


def parse_ttl(text: str) -> timedelta:
    m = _TTL.match(text or DEFAULT_TTL)
    if not m:
        raise BadInput(f"TTL {text!r} is not a duration (try 30m, 2h, 90s)")
    ttl = timedelta(seconds=float(m.group(1)) * _UNIT[m.group(2)])
    if ttl <= timedelta(0):
        raise BadInput("TTL must be positive")
    return ttl


def grant_request(subject: str, role: str, reason: str, ttl: str, code: str) -> GrantRequest:
    if not subject.strip():
        raise BadInput("subject is required")
    if not role.strip():
        raise BadInput("role is required")
    if len(" ".join(reason.split())) < 10:
        raise BadInput("reason is required: a short sentence of at least 10 characters")
    try:
        return GrantRequest(
            subject=subject.strip(),
            role=role.strip(),
            reason=" ".join(reason.split()),
            ttl=parse_ttl(ttl),
            step_up_code=code.strip(),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInput(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
