"""`watchfloor faults schedule`'s flags: their definitions (add_schedule_flags), and the
flags as a FaultRequest: every flag the model refuses is named at once, by its flag, not
by the model's field path."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from backends.faults_core import HARD_MAX_DURATION, MAX_START_IN
from tui.commands.common import delay, error_ratio, percentage, positive, with_unit, within
from tui.fault_requests import MAX_GUARD_P999_MS

# where each field of a FaultRequest comes from on the command line
FLAGS = {
    "spec.target_host": "--host",
    "spec.namespace": "--namespace",
    "spec.delay_ms": "--delay (in ms)",
    "spec.delay_percent": "--delay-percent",
    "spec.abort_status": "--abort-status",
    "spec.abort_percent": "--abort-percent",
    "reason": "--reason",
    "start_in": "--start-in",
    "duration": "--duration",
    "guards.p999_ms_above": "--guard-p999-ms",
    "guards.error_rate_above": "--guard-error-rate",
    "guards.route": "--guard-route",
}


def add_schedule_flags(sc: Any) -> None:
    """The `faults schedule` subparser's flags, each with its type, default and help."""
    sc.add_argument("--host", required=True, help="target host (the service)")
    sc.add_argument(
        "--namespace", "-n", required=True, help="its namespace (never a protected one)"
    )
    sc.add_argument(
        "--delay", type=delay, default=0.0, metavar="DURATION", help="added latency: 800ms, 2s"
    )
    sc.add_argument(
        "--delay-percent",
        type=percentage,
        default=0.0,
        metavar="PCT",
        help="of requests delayed, 0-100, at most the backend's cap (local: 50 by default)",
    )
    sc.add_argument(
        "--abort-status",
        type=within(200, 599, integer=True),
        default=503,
        metavar="HTTP",
        help="aborts answer this (default 503)",
    )
    sc.add_argument(
        "--abort-percent",
        type=percentage,
        default=0.0,
        metavar="PCT",
        help="of requests aborted, 0-100, at most the backend's cap",
    )
    sc.add_argument(
        "--start-in",
        type=with_unit(MAX_START_IN.total_seconds(), "5m or 90s"),
        default=0.0,
        metavar="DURATION",
        help="start after this, e.g. 5m or 90s (default now)",
    )
    sc.add_argument(
        "--duration",
        type=with_unit(HARD_MAX_DURATION.total_seconds(), "10m or 90s"),
        default=600.0,
        metavar="DURATION",
        help="then it ends on its own, e.g. 10m (the default) or 90s; percentages and "
        "length are capped by the backend's limits",
    )
    sc.add_argument("--reason", required=True, help="why (at least 10 characters)")
    sc.add_argument(
        "--guard-p999-ms",
        type=positive(MAX_GUARD_P999_MS),
        default=None,
        metavar="MS",
        help="end the window early if p99.9 goes above this",
    )
    sc.add_argument(
        "--guard-error-rate",
        type=error_ratio,
        default=None,
        metavar="RATIO",
        help="end it early if the error rate goes above this, e.g. 0.05 or 5%% (under 1)",
    )
    sc.add_argument(
        "--guard-route",
        default="",
        metavar="ROUTE",
        help="the route the guards watch, as the latency pane names it, e.g. 'GET /search'"
        " (default every route)",
    )


def request_from(args: argparse.Namespace) -> Any:
    """The FaultRequest the arguments describe. Raises ActionRefused naming every bad flag."""
    from pydantic import ValidationError

    from backends.contracts import ActionRefused
    from backends.models import FaultRequest

    try:
        req = FaultRequest.model_validate(
            {
                "spec": {
                    "target_host": args.host,
                    "namespace": args.namespace,
                    "delay_ms": round(args.delay * 1000),
                    "delay_percent": args.delay_percent,
                    "abort_status": args.abort_status,
                    "abort_percent": args.abort_percent,
                },
                "reason": args.reason,
                "start_in": timedelta(seconds=args.start_in),
                "duration": timedelta(seconds=args.duration),
                "guards": {
                    "p999_ms_above": args.guard_p999_ms,
                    "error_rate_above": args.guard_error_rate,
                    "route": args.guard_route,
                },
            }
        )
    except ValidationError as exc:
        errs = []
        for e in exc.errors():
            where = ".".join(map(str, e["loc"]))
            errs.append(f"{FLAGS.get(where, where)}: {e['msg']} (got {e['input']!r})")
        raise ActionRefused("; ".join(errs)) from None
    return req


def fenced(req: Any, args: argparse.Namespace) -> None:
    """The command line's own fence (the default protected namespaces and caps, before any
    backend is built): faults_core's problems with the request, each after its flag,
    '--duration: a window lasts more than 0 and at most 1h (got 0s)'."""
    from backends.contracts import ActionRefused
    from backends.durations import duration
    from backends.faults_core import DEFAULT_PROTECTED, Limits, field_problems

    found = field_problems(req, Limits(protected_namespaces=frozenset(DEFAULT_PROTECTED)))
    typed = {"duration": args.duration, "start_in": args.start_in}
    said, last = [], ""
    for field, message in found:
        flag = FLAGS.get(field, field).removesuffix(" (in ms)")
        got = f" (got {duration(timedelta(seconds=typed[field]))})" if field in typed else ""
        said.append(f"{message}{got}" if flag == last else f"{flag}: {message}{got}")
        last = flag
    if found:
        raise ActionRefused("; ".join(said), field=found[0][0])


GUARD_FLAGS = {"p999_ms_above": "--guard-p999-ms", "error_rate_above": "--guard-error-rate"}


def guards_checked(req: Any, latency: Any) -> Any:
    """The request with its guards checked against the latency source now, as the form
    checks them: its route as the source spells it ("get  /search" is GET /search), one
    the source does not show refused (its guard would never trip), a route with no guard
    to watch it with refused, and a guard the latency is over already refused (the window
    would end as soon as it started). `latency` None or without routes: the route is
    taken as typed. Raises ActionRefused naming the flag."""
    from backends.contracts import ActionRefused
    from backends.faults_core import guard_trip
    from tui.fault_requests import BadFaultInput, known_route

    g = req.guards
    if g.route and g.p999_ms_above is None and g.error_rate_above is None:
        raise ActionRefused(
            "--guard-route: it needs --guard-p999-ms or --guard-error-rate to watch it with",
            field="guards.route",
        )
    routes = [r.route for r in latency.routes] if latency is not None else []
    try:
        route = known_route(g.route, routes)
    except BadFaultInput as exc:
        said = str(exc).removeprefix("guard route ")
        raise ActionRefused(f"--guard-route: {said}", field="guards.route") from None
    req = req.model_copy(update={"guards": g.model_copy(update={"route": route})})
    soon = latency is not None and req.start_in.total_seconds() < latency.window_s
    if soon and (trip := guard_trip(req.guards, latency)):
        raise ActionRefused(
            f"{GUARD_FLAGS[trip[0]]}: {trip[1]} now: the window would end as soon as it started",
            field=f"guards.{trip[0]}",
        )
    return req
