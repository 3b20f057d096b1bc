"""What a person typed in the fault-window modal -> a FaultRequest, checked against the
guardrails of the backend it goes to (its protected namespaces, with the ones no config
can open; its percentage cap, its longest window) before anything is sent. Every problem
is said at once, the field checks with the guardrails. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import ParamSpec, TypeVar

from pydantic import ValidationError

from backends.faults_core import (
    DEFAULT_PROTECTED,
    HARD_MAX_DURATION,
    MAX_DELAY,
    MAX_START_IN,
    Limits,
    field_problems,
    guard_trip,
)
from backends.models import FaultGuards, FaultRequest, FaultSpec, LatencySnapshot
from backends.text_safe import squeezed, unsafe_in
from tui.parse import BadValue, number, percent, seconds

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
    "guard_route",
    "reason",
)
LABELS = {  # what the form calls each field; every message uses these words
    "host": "target host",
    "namespace": "namespace",
    "delay": "delay",
    "delay_percent": "delay %",
    "abort_status": "abort status",
    "abort_percent": "abort %",
    "start_in": "start in",
    "duration": "duration",
    "guard_p999_ms": "guard p99.9 ms",
    "guard_error_percent": "guard errors %",
    "guard_route": "guard route",
    "reason": "reason",
}
DEFAULTS = {"delay": "0ms", "abort_status": "503", "start_in": "0s", "duration": "10m"}
MODAL_LIMITS = Limits(protected_namespaces=frozenset(DEFAULT_PROTECTED))  # no backend's known
MAX_GUARD_P999_MS = 600_000.0  # ten minutes: a guard above that never trips
HINT = "800ms, 30s, 10m"
T = TypeVar("T")
_LEADING_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?)")
P = ParamSpec("P")


class BadFaultInput(BadValue):
    """The message names the field and what is wrong with it."""


PATHS = {  # a FaultRequest's field -> the form's input for it
    "spec.target_host": "host",
    "spec.namespace": "namespace",
    "spec.delay_ms": "delay",
    "spec.delay_percent": "delay_percent",
    "spec.abort_status": "abort_status",
    "spec.abort_percent": "abort_percent",
    "reason": "reason",
    "start_in": "start_in",
    "duration": "duration",
    "guards.p999_ms_above": "guard_p999_ms",
    "guards.error_rate_above": "guard_error_percent",
    "guards.route": "guard_route",
}
GUARD_FIELDS = {"p999_ms_above": "guard_p999_ms", "error_rate_above": "guard_error_percent"}


def _seconds(field: str, text: str, bare_unit: str, most: timedelta) -> float:
    try:
        return seconds(
            text, LABELS[field], bare_unit=bare_unit, most=most.total_seconds(), hint=HINT
        )
    except BadValue as exc:
        raise BadFaultInput(str(exc), field) from None


def _number(
    field: str,
    text: str,
    default: float | None,
    low: float,
    high: float,
    *,
    integer: bool = False,
    above: bool = False,
) -> float | None:
    if not text.strip():
        return default
    try:
        return number(text, LABELS[field], low=low, high=high, integer=integer, above=above)
    except BadValue as exc:
        raise BadFaultInput(str(exc), field) from None


def _percent(
    field: str, text: str, default: float | None, *, above: bool = False, high: float = 100.0
) -> float | None:
    """Empty: `default`; `30` and `30%` alike; at most `high`."""
    if not text.strip():
        return default
    try:
        return percent(text, LABELS[field], high=high, above=above)
    except BadValue as exc:
        raise BadFaultInput(str(exc), field) from None


def known_route(text: str, routes: Sequence[str]) -> str:
    """The guard route as the latency source spells it; one it does not show would never
    trip the guard (`routes` empty: not known, taken as typed)."""
    route = " ".join(text.split())  # "GET  /search" would match no route
    if not route or not routes:
        return route
    known = {r.casefold(): r for r in routes}
    if route.casefold() not in known:
        some = ", ".join(routes[:3]) + (f" and {len(routes) - 3} more" if len(routes) > 3 else "")
        raise BadFaultInput(
            f"guard route {route!r} is not a route the latency pane shows ({some}): "
            "its guard would never end the window",
            "guard_route",
        )
    return known[route.casefold()]


def _above_zero(text: str) -> bool:
    """Whether what was typed, wrong as it may be ('2m' over the longest delay, '80' over
    the cap), starts with a number above 0."""
    m = _LEADING_NUMBER.match(text)
    return m is not None and float(m.group(1)) > 0


def form_limits(limits: Limits | None) -> Limits:
    """What the form checks: the faults backend's limits (None: the defaults), with the
    namespaces that no config can open (faults.rego protects them whatever it says)."""
    if limits is None:
        return MODAL_LIMITS
    protected = limits.protected_namespaces | frozenset(DEFAULT_PROTECTED)
    return replace(limits, protected_namespaces=protected)


def protected_words(limits: Limits) -> str:
    """'prod, production, kube-system, istio-system or payments': the defaults first, in
    their order, then the ones the config adds."""
    names = [n for n in DEFAULT_PROTECTED if n in limits.protected_namespaces]
    names += sorted(limits.protected_namespaces - set(DEFAULT_PROTECTED))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def over_now(
    req: FaultRequest, latency: LatencySnapshot | None, said: set[str]
) -> tuple[str, str] | None:
    """A guard the latency is over already (its field, why), while the window would start
    within the latency window: its fault would go in and come out at the next reconcile
    round. The guards found wrong (`said`, standing in as 1) are left out, and all of
    them with a wrong route (standing in as any route)."""
    if latency is None or req.start_in.total_seconds() >= latency.window_s:
        return None
    if "guard_route" in said or "start_in" in said:
        return None
    left_out = {g: None for g, field in GUARD_FIELDS.items() if field in said}
    trip = guard_trip(req.guards.model_copy(update=left_out), latency)
    if trip is None:
        return None
    field = GUARD_FIELDS[trip[0]]
    return field, f"{LABELS[field]}: {trip[1]} now: the window would end as soon as it started"


def fault_request(
    values: Mapping[str, str],
    routes: Sequence[str] = (),
    limits: Limits = MODAL_LIMITS,
    latency: LatencySnapshot | None = None,
) -> FaultRequest:
    """The request the form describes, or BadFaultInput naming every problem at once, in
    the form's order and words, joined by " · ", with the first one's field: each field's
    own (not a number, over the cap, too long...) and what is wrong with the request under
    `limits` (form_limits: protected namespaces, caps). A field found wrong stands in as
    one that raises nothing more, so what follows from it is not said twice. `routes`: the
    latency routes known now, the ones a guard route may name; `latency`, their figures
    now, which a guard may not be under already (over_now)."""
    v = {k: values.get(k, "").strip() or DEFAULTS.get(k, "") for k in FIELDS}
    found: list[tuple[str, str]] = []  # (the form's field, what is wrong with it)

    def take(stand_in: T, parse: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return parse(*args, **kwargs)
        except BadFaultInput as exc:
            found.append((exc.field, str(exc)))
            return stand_in

    for field in ("host", "namespace"):
        if not v[field]:
            found.append((field, f"{LABELS[field]} is required"))
    # 259 said "between 0 and 100", then 60 "over the cap of 50%": the cap the first time.
    # A delay or delay % that starts with a number above 0 (too long, over the cap) stands
    # in as the most it may be, so "a delay needs both" is said if the other is missing;
    # other wrong ones as 0, whose "needs both" or "no percentage" is about them (dropped).
    # Anything typed as an abort % stands in as the cap: not "no percentage" as well.
    cap = limits.percent_cap
    longest = min(limits.max_duration, HARD_MAX_DURATION)
    most_delay = MAX_DELAY.total_seconds() if _above_zero(v["delay"]) else 0.0
    delay_s = take(most_delay, _seconds, "delay", v["delay"], "ms", MAX_DELAY)
    most_pct = cap if _above_zero(v["delay_percent"]) else 0.0
    delay_pct = take(most_pct, _percent, "delay_percent", v["delay_percent"], 0.0, high=cap)
    status = take(503, _number, "abort_status", v["abort_status"], 503, 200, 599, integer=True)
    abort_pct = take(cap, _percent, "abort_percent", v["abort_percent"], 0.0, high=cap)
    start_s = take(0.0, _seconds, "start_in", v["start_in"], "s", MAX_START_IN)
    duration_s = take(longest.total_seconds(), _seconds, "duration", v["duration"], "m", longest)
    p999 = take(
        1.0, _number, "guard_p999_ms", v["guard_p999_ms"], None, 0, MAX_GUARD_P999_MS, above=True
    )
    error_pct = take(
        1.0, _percent, "guard_error_percent", v["guard_error_percent"], None, above=True
    )
    if error_pct is not None and error_pct >= 100:  # it can never trip
        why = "no error rate goes above 100%, so it would never end the window"
        found.append(("guard_error_percent", f"{LABELS['guard_error_percent']}: {why}"))
        error_pct = 1.0
    route = take("", known_route, v["guard_route"], routes)
    if route and p999 is None and error_pct is None:  # it would end nothing
        why = "guard route needs a guard p99.9 ms or guard errors % to watch it with"
        found.append(("guard_p999_ms", why))
    reason = squeezed(v["reason"])  # as the model takes it
    if len(reason) < 10:
        found.append(("reason", "reason is required: a short sentence of at least 10 characters"))
    elif why := unsafe_in(reason):
        found.append(("reason", f"reason {why}"))
    said = {field for field, _ in found}
    try:
        req = FaultRequest(
            spec=FaultSpec(
                target_host=v["host"] or "host",
                namespace=v["namespace"] or "namespace",
                delay_ms=round(delay_s * 1000),
                delay_percent=delay_pct or 0.0,
                abort_status=int(status or 503),
                abort_percent=abort_pct or 0.0,
            ),
            reason=v["reason"] if "reason" not in said else "(said: not used)",
            start_in=timedelta(seconds=start_s),
            duration=timedelta(seconds=duration_s),
            guards=FaultGuards(
                p999_ms_above=p999,
                error_rate_above=None if error_pct is None else error_pct / 100,
                route=route,
            ),
        )
    except ValidationError as exc:
        for error in exc.errors():
            field = PATHS.get(".".join(str(p) for p in error["loc"]), "")
            label = LABELS.get(field, "the form")  # never the model's own field names
            found.append((field, f"{label}: {error['msg']}"))
    else:
        for path, message in field_problems(req, limits):
            if PATHS.get(path, "") not in said:  # a stand-in's: said already
                found.append((PATHS.get(path, ""), message))
        if tripped := over_now(req, latency, said):
            found.append(tripped)
    if found:
        order = {field: i for i, field in enumerate(FIELDS)}
        found.sort(key=lambda p: order.get(p[0], len(FIELDS)))
        raise BadFaultInput(" · ".join(dict.fromkeys(m for _, m in found)), found[0][0])
    return req
