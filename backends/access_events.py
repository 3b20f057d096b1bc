"""OPA decision-log events, both ways (pure logic, no I/O).

`parse_events` turns one message (an OPA decision-log event, or a JSON array of them)
into `Event`s, cheap enough for the hot path; `decision_of` builds the shared `Decision`
model of one on demand (the drill-down, the dry-run, snapshots), and `event_doc` writes
a `Decision` back out as the event OPA posts and the relay publishes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backends.models import Attrs, Decision

UNKNOWN = "?"


class MalformedEvent(ValueError):
    """A message that is not a decision-log event we can count."""


@dataclass(frozen=True, slots=True)
class Event:
    """One decision, as cheap as possible on the hot path (models are built on demand)."""

    decision_id: str
    path: str
    timestamp: str  # RFC 3339 as sent; parsed only when shown
    attrs: tuple[str, str, str, str, str]  # in ATTR_KEYS order
    allowed: bool
    input: Mapping[str, Any]
    reason: str = ""


def result_allowed(result: Any) -> bool:
    """OPA's `result`: a boolean, or an object with `allow`/`allowed` (ext_authz style)."""
    if isinstance(result, bool):
        return result
    if isinstance(result, Mapping):
        for key in ("allow", "allowed"):
            value = result.get(key)
            if isinstance(value, bool):
                return value
    if result == "true":  # OPA's docs example carries a string
        return True
    if result == "false":
        return False
    raise MalformedEvent("result is neither a boolean nor an object with allow")


MAX_REASON = 600  # the shipped policy's longest, every rule failing, is 252


def _cut(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def _reason(result: Any) -> str:
    """The rules a result names (`abac/decision`'s reason, a deny list); "" for none."""
    if isinstance(result, Mapping):
        for key in ("reason", "deny", "reasons"):
            value = result.get(key)
            if isinstance(value, str):
                return _cut(value)
            if isinstance(value, list | tuple) and value:
                return _cut("; ".join(str(v) for v in value))
    return ""


def _str(value: Any) -> str:
    return value[:64] if isinstance(value, str) and value else UNKNOWN


def event_from(doc: Any) -> Event:
    """One OPA decision-log event (decision_id, path, input, result, timestamp, ...)."""
    if not isinstance(doc, dict):
        raise MalformedEvent("event is not an object")
    if "result" not in doc:
        raise MalformedEvent("event has no result (an error or a partial evaluation)")
    inp = doc.get("input")
    if not isinstance(inp, dict):
        raise MalformedEvent("event has no input object")
    attrs = inp.get("attrs")
    if not isinstance(attrs, dict):
        raise MalformedEvent("input has no attrs object")
    allowed = result_allowed(doc["result"])
    did, path, ts = doc.get("decision_id"), doc.get("path"), doc.get("timestamp")
    return Event(
        decision_id=did if isinstance(did, str) else "",
        path=path if isinstance(path, str) else "",
        timestamp=ts if isinstance(ts, str) else "",
        attrs=(
            _str(attrs.get("service")),
            _str(attrs.get("tenant")),
            _str(attrs.get("data_class")),
            _str(attrs.get("region")),
            _str(attrs.get("environment")),
        ),
        allowed=allowed,
        input=inp,
        reason="" if allowed else _reason(doc["result"]),
    )


def parse_events(payload: bytes | bytearray | str) -> tuple[list[Event], int]:
    """Events in one message, and how many elements of it were malformed.

    Raises MalformedEvent when the message as a whole is not JSON.
    """
    try:
        doc = json.loads(payload)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise MalformedEvent(f"not JSON: {type(exc).__name__}") from None
    items = doc if isinstance(doc, list) else [doc]
    out: list[Event] = []
    bad = 0
    for item in items:
        try:
            out.append(event_from(item))
        except MalformedEvent:
            bad += 1
    return out, bad


def parse_timestamp(text: str, fallback: datetime) -> datetime:
    """RFC 3339 with up to nanoseconds (OPA's format); `fallback` when unreadable."""
    if not text:
        return fallback
    t = text.strip().replace("z", "Z")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    if "." in t:  # Python takes at most 6 fractional digits
        head, _, rest = t.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        t = f"{head}.{(digits + '000000')[:6]}{rest}"
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        return fallback
    return dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)


_UNREADABLE = datetime.min.replace(tzinfo=UTC)


def event_seconds(text: str) -> float | None:
    """An event's timestamp in seconds since the epoch, cheap enough for the hot path
    (Python's own parser first: it takes OPA's `Z` and nanoseconds); None when the event
    has none or it is unreadable."""
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        dt = parse_timestamp(text, _UNREADABLE)
        if dt is _UNREADABLE:
            return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


def decision_of(ev: Event, fallback: datetime) -> Decision:
    """The shared model of an event (for the drill-down, the dry-run, snapshots)."""
    req = ev.input.get("request")
    req = req if isinstance(req, Mapping) else {}
    attrs = ev.input.get("attrs")
    role = attrs.get("role") if isinstance(attrs, Mapping) else None
    svc, ten, dc, reg, env = ev.attrs
    return Decision(
        decision_id=ev.decision_id or "-",
        timestamp=parse_timestamp(ev.timestamp, fallback),
        path=ev.path or "-",
        attrs=Attrs(
            service=svc,
            tenant=ten,
            data_class=dc,
            region=reg,
            environment=env,
            role=role if isinstance(role, str) and role else "user",
        ),
        request_tenant=_str(req.get("tenant")),
        request_data_class=_str(req.get("data_class")),
        allowed=ev.allowed,
        reason=ev.reason,
        input_doc=dict(ev.input),
    )


def event_doc(d: Decision, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A decision as an OPA decision-log event (what OPA posts and the relay publishes)."""
    ts = d.timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    inp = d.input_doc or {
        "attrs": d.attrs.model_dump(),
        "request": {"tenant": d.request_tenant, "data_class": d.request_data_class},
    }
    return {
        "labels": dict(labels or {"app": "watchfloor", "id": "watchfloor", "version": "1"}),
        "decision_id": d.decision_id,
        "path": d.path,
        "input": inp,
        "result": d.allowed,
        "requested_by": "127.0.0.1",
        "timestamp": ts,
        "metrics": {},
        "req_id": 0,
    }
