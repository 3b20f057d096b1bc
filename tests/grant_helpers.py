"""Helpers for break-glass tests: enroll step-up in a data dir and make valid codes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp

from backends.models import Actor, GrantRequest

ME = Actor(name="dave")  # default actor roles: ("oncall",)


def secret_of(uri: str) -> str:
    return parse_qs(urlparse(uri).query)["secret"][0]


async def enroll(sources: Any, actor: str = "dave") -> str:
    """Enroll step-up through the source; the TOTP secret (as an authenticator has it)."""
    return secret_of(await sources["stepup"].enroll(actor))


def code_at(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def req(code: str = "", **kw: Any) -> GrantRequest:
    base: dict[str, Any] = {
        "subject": "alice",
        "role": "sre-oncall",
        "reason": "INC-4711 gateway is on fire",
        "ttl": timedelta(minutes=30),
        "step_up_code": code,
    }
    return GrantRequest(**{**base, **kw})
