"""`watchfloor faults schedule`'s flags as a FaultRequest: every flag the model refuses is
named at once, by its flag, not by the model's field path."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

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


def request_from(args: argparse.Namespace) -> Any:
    """The FaultRequest the arguments describe. Raises ActionRefused naming every bad flag."""
    from pydantic import ValidationError

    from backends.contracts import ActionRefused
    from backends.models import FaultRequest

    try:
        return FaultRequest.model_validate(
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
