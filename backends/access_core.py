"""Deny rates from a stream of policy decisions, in fixed memory (pure logic, no I/O).

`parse_events` turns one message (an OPA decision-log event, or a JSON array of them)
into `Event`s. `DenyWindow` counts them per attribute value in a ring of one-second
buckets (memory bounded by the bucket count and `max_keys`, never by the event rate),
keeps a sparkline per key, the overall deny rate's trailing baseline (median of 5 s
rates over 10 minutes, so a spike does not lift its own baseline), the last N decisions
for a policy dry-run, the recent denials, and how many events were dropped.
"""

from __future__ import annotations

import json
import statistics
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backends.models import (
    ATTR_KEYS,
    AccessSnapshot,
    Attrs,
    Decision,
    DenyRateRow,
    SourceHealth,
)

SPIKE_FACTOR = 2.0
SPIKE_MIN_RATE = 0.15
SPIKE_MIN_DECISIONS = 50
OTHER = "(other)"
UNKNOWN = "?"


def spike_threshold(baseline_rate: float) -> float:
    """A deny rate above this is a spike: twice the trailing baseline, and at least 15 %."""
    return max(SPIKE_MIN_RATE, SPIKE_FACTOR * baseline_rate)


def is_spike(total: int, deny_rate: float, baseline_rate: float) -> bool:
    return total >= SPIKE_MIN_DECISIONS and deny_rate > spike_threshold(baseline_rate)


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


def _reason(result: Any) -> str:
    if isinstance(result, Mapping):
        for key in ("reason", "deny", "reasons"):
            value = result.get(key)
            if isinstance(value, str):
                return value[:200]
            if isinstance(value, list | tuple) and value:
                return "; ".join(str(v) for v in value)[:200]
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


class DenyWindow:
    """Sliding-window deny rates per (dimension, value), in a ring of buckets.

    Key 0 is "all decisions". At most `max_keys` (dimension, value) pairs are tracked;
    later values of a full dimension are counted under "(other)".
    """

    def __init__(
        self,
        *,
        window_buckets: int = 60,
        bucket_s: float = 1.0,
        history_bucket_s: int = 5,
        history_points: int = 60,
        baseline_points: int = 120,
        max_values_per_dimension: int = 32,
        recent_kept: int = 5000,
        recent_denied: int = 200,
    ) -> None:
        if window_buckets < 2 or bucket_s <= 0 or history_bucket_s < 1:
            raise ValueError("need at least two buckets of positive length")
        self.n = window_buckets
        self.bucket_s = bucket_s
        self.history_bucket_s = history_bucket_s
        self.max_values = max_values_per_dimension
        self.n_keys = 1 + len(ATTR_KEYS) * (max_values_per_dimension + 1)
        nk = self.n_keys
        self._tot = [[0] * nk for _ in range(window_buckets)]
        self._den = [[0] * nk for _ in range(window_buckets)]
        self._drop = [0] * window_buckets
        self._sum_tot = [0] * nk  # closed buckets still in the window
        self._sum_den = [0] * nk
        self._sum_drop = 0
        self.bucket: int | None = None
        self.cur_tot = self._tot[0]
        self.cur_den = self._den[0]
        self._keys: list[tuple[str, str]] = [("all", "all")]
        self._index: dict[tuple[str, str], int] = {}
        self._per_dim = [0] * len(ATTR_KEYS)
        self._combo: dict[tuple[str, ...], tuple[int, ...]] = {}
        self._hist_tot = [0] * nk
        self._hist_den = [0] * nk
        self.history: list[deque[float]] = [deque(maxlen=history_points) for _ in range(nk)]
        self._baseline: deque[float] = deque(maxlen=baseline_points)
        self.recent: deque[Event] = deque(maxlen=recent_kept)
        self.denied_recent: deque[Event] = deque(maxlen=recent_denied)
        self.dropped_total = 0
        self.malformed = 0
        self.oversized = 0
        self.accepted = 0

    # --- keys ---------------------------------------------------------------------------

    def _key(self, dim: int, value: str) -> int:
        k = self._index.get((ATTR_KEYS[dim], value))
        if k is not None:
            return k
        if self._per_dim[dim] >= self.max_values:
            value = OTHER
            k = self._index.get((ATTR_KEYS[dim], value))
            if k is not None:
                return k
        self._per_dim[dim] += 1
        k = len(self._keys)
        self._keys.append((ATTR_KEYS[dim], value))
        self._index[(ATTR_KEYS[dim], value)] = k
        return k

    def _keys_of(self, attrs: tuple[str, ...]) -> tuple[int, ...]:
        ks = self._combo.get(attrs)
        if ks is None:
            ks = (0, *(self._key(i, v) for i, v in enumerate(attrs)))
            if len(self._combo) > 50_000:
                self._combo.clear()
            self._combo[attrs] = ks
        return ks

    # --- time ---------------------------------------------------------------------------

    def rotate_to(self, now_s: float) -> None:
        b = int(now_s // self.bucket_s)
        if self.bucket is None:
            self.bucket = b
            self.cur_tot, self.cur_den = self._tot[b % self.n], self._den[b % self.n]
            return
        steps = b - self.bucket
        if steps <= 0:
            return
        nk, st, sd = self.n_keys, self._sum_tot, self._sum_den
        for _ in range(min(steps, self.n + self.history_bucket_s)):
            ct, cd = self.cur_tot, self.cur_den
            ht, hd = self._hist_tot, self._hist_den
            for k in range(nk):
                st[k] += ct[k]
                sd[k] += cd[k]
                ht[k] += ct[k]
                hd[k] += cd[k]
            self._sum_drop += self._drop[self.bucket % self.n]
            self.bucket += 1
            if self.bucket % self.history_bucket_s == 0:
                self._close_history()
            slot = self.bucket % self.n
            ot, od = self._tot[slot], self._den[slot]
            for k in range(nk):
                st[k] -= ot[k]
                sd[k] -= od[k]
                ot[k] = 0
                od[k] = 0
            self._sum_drop -= self._drop[slot]
            self._drop[slot] = 0
            self.cur_tot, self.cur_den = ot, od
        self.bucket = b

    def _close_history(self) -> None:
        ht, hd = self._hist_tot, self._hist_den
        if ht[0]:
            self._baseline.append(hd[0] / ht[0])
        for k in range(len(self._keys)):
            self.history[k].append(round(hd[k] / ht[k], 4) if ht[k] else 0.0)
        for k in range(self.n_keys):
            ht[k] = 0
            hd[k] = 0

    # --- the hot path -------------------------------------------------------------------

    def add(self, ev: Event, now_s: float) -> None:
        b = int(now_s // self.bucket_s)
        if b != self.bucket:
            self.rotate_to(now_s)
        ks = self._keys_of(ev.attrs)
        tot = self.cur_tot
        for k in ks:
            tot[k] += 1
        if not ev.allowed:
            den = self.cur_den
            for k in ks:
                den[k] += 1
            self.denied_recent.append(ev)
        self.recent.append(ev)
        self.accepted += 1

    def add_many(self, events: Iterable[Event], now_s: float) -> None:
        for ev in events:
            self.add(ev, now_s)

    def dropped(self, n: int, now_s: float) -> None:
        """`n` events were lost before they could be counted (a full queue)."""
        self.rotate_to(now_s)
        if self.bucket is not None:
            self._drop[self.bucket % self.n] += n
        self.dropped_total += n

    # --- reading ------------------------------------------------------------------------

    def totals(self) -> tuple[list[int], list[int]]:
        st, sd, ct, cd = self._sum_tot, self._sum_den, self.cur_tot, self.cur_den
        return [a + b for a, b in zip(st, ct, strict=True)], [
            a + b for a, b in zip(sd, cd, strict=True)
        ]

    @property
    def dropped_in_window(self) -> int:
        cur = self._drop[self.bucket % self.n] if self.bucket is not None else 0
        return self._sum_drop + cur

    @property
    def baseline(self) -> float | None:
        return statistics.median(self._baseline) if self._baseline else None

    def rows(self) -> tuple[DenyRateRow, ...]:
        tot, den = self.totals()
        rows = [
            DenyRateRow(
                dimension=dim,
                value=val,
                total=tot[k],
                denied=den[k],
                rate=den[k] / tot[k] if tot[k] else 0.0,
                history=tuple(self.history[k]),
            )
            for k, (dim, val) in enumerate(self._keys)
            if k and tot[k]
        ]
        rows.sort(key=lambda r: (-r.rate, -r.denied, r.dimension, r.value))
        return tuple(rows)

    def recent_decisions(self, limit: int, fallback: datetime) -> list[Decision]:
        """The last `limit` decisions, oldest first."""
        items = list(self.recent)[-limit:] if limit > 0 else []
        return [decision_of(e, fallback) for e in items]

    def snapshot(
        self,
        now: datetime,
        health: SourceHealth,
        *,
        source: str,
        source_samples: bool = False,
        recent_denied: int = 50,
    ) -> AccessSnapshot:
        self.rotate_to(now.timestamp())
        tot, den = self.totals()
        rate = den[0] / tot[0] if tot[0] else 0.0
        base = self.baseline
        denied = list(self.denied_recent)[-recent_denied:]
        dropped = self.dropped_in_window
        return AccessSnapshot(
            observed_at=now,
            health=health,
            source=source,
            window_s=self.n * self.bucket_s,
            total=tot[0],
            denied=den[0],
            deny_rate=rate,
            baseline_rate=base if base is not None else rate,
            history=tuple(self.history[0]),
            rows=self.rows(),
            recent_denied=tuple(decision_of(e, now) for e in reversed(denied)),
            dropped=dropped,
            sampled=source_samples or dropped > 0,
            malformed=self.malformed,
            oversized=self.oversized,
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
