"""Turning what a person typed (modal or command line) into a GrantRequest, with a clear
message for each bad field instead of a pydantic error dump. Pure functions."""

from __future__ import annotations

from datetime import timedelta

from pydantic import ValidationError

from backends.grant_rules import MIN_TTL, reason_problem
from backends.models import GrantRequest
from tui.parse import BadValue, seconds

DEFAULT_TTL = "30m"
MAX_TTL = timedelta(hours=24)  # no backend allows longer; policy caps each role lower


class BadInput(BadValue):
    """What the person typed cannot be a request; the message says which field and why."""


def parse_ttl(text: str, name: str = "TTL") -> timedelta:
    """A TTL as typed: 30m, 2h, 90s; a bare number is minutes; at most MAX_TTL. `name`
    is how messages call it ("" on the command line, where argparse names --ttl)."""
    try:
        secs = seconds(
            text or DEFAULT_TTL,
            name,
            bare_unit="m",
            most=MAX_TTL.total_seconds(),
            hint="30m, 2h, 90s",
            least=MIN_TTL.total_seconds(),  # the policy is given whole seconds
        )
    except BadValue as exc:
        raise BadInput(str(exc), "ttl") from None
    return timedelta(seconds=secs)


def grant_request(
    subject: str, role: str, reason: str, ttl: str | timedelta, code: str
) -> GrantRequest:
    if not subject.strip():
        raise BadInput("subject is required", "subject")
    if not role.strip():
        raise BadInput("role is required", "role")
    if problem := reason_problem(reason):
        raise BadInput(f"a grant needs a reason: {problem}", "reason")
    try:
        return GrantRequest(
            subject=subject.strip(),
            role=role.strip(),
            reason=" ".join(reason.split()),
            ttl=ttl if isinstance(ttl, timedelta) else parse_ttl(ttl),
            step_up_code=code.strip(),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        field = {"step_up_code": "code"}.get(where, where)
        raise BadInput(f"{field}: {first['msg']}", field) from None
