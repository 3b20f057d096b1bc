"""Policy dry-run: replay recorded decisions through a candidate policy, apply nothing.

Each decision's recorded outcome is compared with what the candidate says for the same
input; the differences (allow->deny, deny->allow) are grouped by service and tenant.
The candidate is compiled once (PolicyEngine: build + query_bundle_entrypoint per
decision, never a re-planned `query`). Decisions come from a source's memory
(contracts.DecisionHistory) or a file of OPA decision-log events (JSON array, JSON lines,
OPA's console log lines, gzip or not). Pure apart from reading those files.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from backends.access_events import MalformedEvent, decision_of, event_from, result_allowed
from backends.clock import utc_now
from backends.models import Decision
from backends.policy import PolicyEngine, policy_path
from backends.policy import PolicyError as PolicyError  # for callers of replay()
from backends.rego_source import has_default, undefined_rule

DEFAULT_ENTRYPOINT = "abac/allow"
DEFAULT_CANDIDATE = policy_path("abac.rego")  # where an edited candidate usually lives
PROGRESS_EVERY = 100
FLIPS_KEPT = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Flip:
    decision_id: str
    service: str
    tenant: str
    before: bool  # the recorded outcome
    after: bool  # the candidate's


@dataclass(frozen=True)
class FlipGroup:
    service: str
    tenant: str
    replayed: int
    allow_to_deny: int
    deny_to_allow: int


@dataclass(frozen=True)
class ReplayReport:
    candidate: str
    replayed: int
    allow_to_deny: int
    deny_to_allow: int
    errors: int = 0
    seconds: float = 0.0
    groups: tuple[FlipGroup, ...] = ()  # groups with at least one flip, most flips first
    flips: tuple[Flip, ...] = ()  # the first FLIPS_KEPT flips
    first_error: str = ""
    cancelled: bool = False
    available: int = 0  # the decisions there were to replay (replayed, unless cancelled)
    asked: int = 0  # how many were asked for (0: not said); more than available: capped
    first_at: datetime | None = None  # the oldest and newest decision replayed
    last_at: datetime | None = None
    undefined: int = 0  # decisions the candidate left undefined (counted as deny)
    no_default: tuple[str, ...] = ()  # entrypoints whose rule has no `default` in it

    @property
    def unchanged(self) -> int:
        return self.replayed - self.allow_to_deny - self.deny_to_allow - self.errors

    @property
    def capped(self) -> bool:
        """Fewer decisions than asked for: all that were kept (or in the file)."""
        return self.asked > self.available

    def to_json(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "replayed": self.replayed,
            "unchanged": self.unchanged,
            "allow_to_deny": self.allow_to_deny,
            "deny_to_allow": self.deny_to_allow,
            "errors": self.errors,
            "first_error": self.first_error,
            "seconds": round(self.seconds, 3),
            "cancelled": self.cancelled,
            "available": self.available,
            "asked": self.asked,
            "capped": self.capped,
            "from": self.first_at.isoformat() if self.first_at else None,
            "to": self.last_at.isoformat() if self.last_at else None,
            "undefined": self.undefined,
            "no_default": list(self.no_default),
            "groups": [g.__dict__ for g in self.groups],
            "flips": [f.__dict__ for f in self.flips],
        }


def input_of(d: Decision) -> dict[str, Any]:
    """The input the decision was made on: as logged, or rebuilt from its attributes."""
    if d.input_doc is not None:
        return d.input_doc
    return {
        "attrs": d.attrs.model_dump(),
        "request": {"tenant": d.request_tenant, "data_class": d.request_data_class},
    }


def entrypoint_of(path: str) -> str:
    """The entrypoint of a path: abac/allow of "abac/allow", "data/abac/allow" and
    "data.abac.allow"."""
    p = path.strip().strip("/")
    if "/" not in p and p.startswith("data."):
        p = p.replace(".", "/")
    p = p.removeprefix("data/")
    return p if p and p != "-" else DEFAULT_ENTRYPOINT


def outcome(value: Any) -> bool:
    """A candidate's answer as allow/deny: undefined denies here. OPA itself returns no
    result then, and what a client makes of none (deny, allow, an error) is its own."""
    if value is None:
        return False
    try:
        return result_allowed(value)
    except MalformedEvent:
        return False


@dataclass
class _Tally:
    replayed: int = 0
    a2d: int = 0
    d2a: int = 0
    by_key: dict[tuple[str, str], list[int]] = field(default_factory=dict)


def replay(
    decisions: Sequence[Decision],
    candidate: Sequence[Path],
    *,
    data: Mapping[str, Any] | None = None,
    entrypoint: str | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    asked: int = 0,
) -> ReplayReport:
    """Replay `decisions` through the candidate policy files. Raises PolicyError when the
    candidate does not compile; a decision it cannot evaluate counts as an error. `asked`:
    how many decisions the caller asked its source for (the report says if it got fewer)."""
    started = time.perf_counter()
    engine = PolicyEngine(candidate, data)
    total = len(decisions)
    t = _Tally()
    flips: list[Flip] = []
    errors = 0
    first_error = ""
    cancelled = False
    undefined = 0
    entrypoints: set[str] = set()
    for i, d in enumerate(decisions):
        if should_stop is not None and should_stop():  # before each: a stop waits for one
            cancelled = True
            break
        key = (d.attrs.service, d.attrs.tenant)
        counts = t.by_key.setdefault(key, [0, 0, 0])
        counts[0] += 1
        t.replayed += 1
        where = entrypoint_of(entrypoint) if entrypoint else entrypoint_of(d.path)
        if where not in entrypoints and (why := undefined_rule(engine.sources.values(), where)):
            raise PolicyError(why)  # every decision undefined: not flips to count
        entrypoints.add(where)
        try:
            value = engine.evaluate(where, input_of(d))
        except PolicyError as exc:
            errors += 1
            first_error = first_error or str(exc)[:300]
            continue
        undefined += value is None
        after = outcome(value)
        if after != d.allowed:
            if d.allowed:
                t.a2d += 1
                counts[1] += 1
            else:
                t.d2a += 1
                counts[2] += 1
            if len(flips) < FLIPS_KEPT:
                flips.append(Flip(d.decision_id, key[0], key[1], d.allowed, after))
        if progress is not None and (i + 1) % PROGRESS_EVERY == 0:
            progress(i + 1, total)
    if progress is not None:
        progress(t.replayed, total)
    groups = [
        FlipGroup(svc, ten, c[0], c[1], c[2]) for (svc, ten), c in t.by_key.items() if c[1] or c[2]
    ]
    groups.sort(key=lambda g: (-(g.allow_to_deny + g.deny_to_allow), g.service, g.tenant))
    times = [d.timestamp for d in decisions[: t.replayed]]
    sources = engine.sources.values()
    return ReplayReport(
        candidate=", ".join(str(p) for p in candidate),
        replayed=t.replayed,
        allow_to_deny=t.a2d,
        deny_to_allow=t.d2a,
        errors=errors,
        seconds=time.perf_counter() - started,
        groups=tuple(groups),
        flips=tuple(flips),
        first_error=first_error,
        cancelled=cancelled,
        available=total,
        asked=asked,
        first_at=min(times, default=None),
        last_at=max(times, default=None),
        undefined=undefined,
        no_default=tuple(sorted(e for e in entrypoints if not has_default(sources, e))),
    )


def naive_replay(decisions: Sequence[Decision], candidate: Sequence[Path]) -> list[bool]:
    """The slow way, for the benchmark only: one re-planned `query` per decision."""
    from regopy import Interpreter

    interp = Interpreter()
    for f in candidate:
        interp.add_module(f.name, f.read_text())
    out = []
    for d in decisions:
        interp.set_input_term(json.dumps(input_of(d)))
        q = "data." + entrypoint_of(d.path).replace("/", ".")
        text = str(interp.query(q))
        try:
            doc = json.loads(text)
            value = doc["expressions"][0] if isinstance(doc, dict) and doc else None
        except (ValueError, KeyError, IndexError):
            value = None
        out.append(outcome(value))
    return out


# --- files of decision-log events -------------------------------------------------------


def _docs(text: str) -> Iterable[Any]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        doc = json.loads(stripped)
        yield from doc if isinstance(doc, list) else [doc]
        return
    for line in text.splitlines():
        if line.strip():
            yield json.loads(line)


def load_events(path: Path, *, limit: int | None = None) -> tuple[list[Decision], int]:
    """Decisions from a file, and how many of its entries were not decision events.

    Accepts what the Decision Log Service receives (a JSON array, gzip or not), JSON lines
    of events, and OPA's console logger lines ({"msg": "Decision Log", ...event fields}).
    """
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        docs = list(_docs(raw.decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path}: not JSON or JSON lines: {exc}") from None
    now: datetime = utc_now()
    out: list[Decision] = []
    bad = 0
    for doc in docs:
        try:
            out.append(decision_of(event_from(doc), now))
        except MalformedEvent:
            bad += 1
    if limit is not None and limit >= 0:
        out = out[-limit:] if limit else []
    return out, bad
