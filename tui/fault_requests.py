"""What a person typed in the fault-window modal -> a FaultRequest, checked against the
default guardrails (protected namespaces, percentage required and capped, max duration)
before anything is sent to a backend. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

from pydantic import ValidationError

from backends.faults_core import DEFAULT_PROTECTED, Limits, problems
from backends.models import FaultGuards, FaultRequest, FaultSpec

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
FIELDS = (
    "host",
    "namespace",
    "delay",
    "delay_percent",
    "abort_status",
    "abort_percent",
    "start_in",
    "duration",
    "guard_p999_ms",
    "guard_error_percent",
    "reason",
)
DEFAULTS = {"delay": "0ms", "abort_status": "503", "start_in": "0s", "duration": "10m"}
MODAL_LIMITS = Limits(protected_namespaces=frozenset(DEFAULT_PROTECTED))


class BadFaultInput(ValueError):
    """The message names the field and what is wrong with it."""


def _seconds(name: str, text: str, bare_unit: str) -> float:
    m = _DURATION.match(text)
    if not m:
        raise BadFaultInput(f"{name}: {text!r} is not a duration (try 800ms, 30s, 10m)")
    return float(m.group(1)) * _UNIT_S[m.group(2) or bare_unit]


def _number(name: str, text: str, default: float | None) -> float | None:
    if not text.strip():
        return default
    try:
        return float(text)
    except ValueError:
        raise BadFaultInput(f"{name}: {text!r} is not a number") from None


def fault_request(values: Mapping[str, str]) -> FaultRequest:
    v = {k: values.get(k, "").strip() or DEFAULTS.get(k, "") for k in FIELDS}
    if len(" ".join(v["reason"].split())) < 10:
        raise BadFaultInput("reason is required: a short sentence of at least 10 characters")
    error_pct = _number("guard error rate %", v["guard_error_percent"], None)
    try:
        req = FaultRequest(
            spec=FaultSpec(
                target_host=v["host"],
                namespace=v["namespace"],
                delay_ms=round(_seconds("delay", v["delay"], "ms") * 1000),
                delay_percent=_number("delay %", v["delay_percent"], 0.0) or 0.0,
                abort_status=int(_number("abort status", v["abort_status"], 503) or 503),
                abort_percent=_number("abort %", v["abort_percent"], 0.0) or 0.0,
            ),
            reason=v["reason"],
            start_in=timedelta(seconds=_seconds("start in", v["start_in"], "s")),
            duration=timedelta(seconds=_seconds("duration", v["duration"], "m")),
            guards=FaultGuards(
                p999_ms_above=_number("guard p99.9 ms", v["guard_p999_ms"], None),
                error_rate_above=None if error_pct is None else error_pct / 100,
            ),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BadFaultInput(f"{where}: {first['msg']}") from None
    found = problems(req, MODAL_LIMITS)
    if found:
        raise BadFaultInput("; ".join(found))
    return req
