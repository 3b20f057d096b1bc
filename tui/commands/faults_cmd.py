"""`watchfloor faults list|schedule|end|halt|reconcile`: fault windows without the dashboard.

`reconcile` is what makes windows end on their own: run it from cron or as a pod
(`--once` per run, or looping) and every managed fault past its end, or whose guards
tripped, is removed even if the dashboard that opened it is gone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from datetime import UTC
from typing import Any

from backends.fault_ends import (
    HaltIncomplete,
    end_reason_problem,
    ended_by,
    halt_words,
    said_with_more,
)
from backends.fault_times import span
from backends.faults_core import snapshot_json
from backends.text_safe import shown
from tui.commands.common import (
    MAX_DURATION_S,
    duration_up_to,
    first_snapshot,
    load_config,
    mutating,
)
from tui.commands.fault_flags import add_schedule_flags, fenced, guards_checked, request_from
from tui.commands.faults_listing import list_lines

LATENCY_WAIT_S = 3.0


def register(sub: Any) -> None:
    p = sub.add_parser("faults", help="fault-injection windows: list, schedule, end, halt")
    fs = p.add_subparsers(dest="faults_command", metavar="COMMAND", required=True)

    ls = fs.add_parser("list", help="windows: scheduled, active and recently ended")
    ls.add_argument("--json", action="store_true", help="JSON output")
    ls.set_defaults(handler=run_list)

    sc = fs.add_parser("schedule", help="schedule a fault window (refused in protected namespaces)")
    add_schedule_flags(sc)
    sc.set_defaults(handler=run_schedule)

    en = fs.add_parser("end", help="end a window now")
    en.add_argument("id", help="the window's id (faults list)")
    en.add_argument(
        "--reason", required=True, type=end_reason, help="why, for the audit trail (as revoke's)"
    )
    en.set_defaults(handler=run_end)

    ha = fs.add_parser("halt", help="HALT ALL: remove every managed fault in every namespace")
    ha.add_argument("--reason", required=True, help="why, for the audit trail")
    ha.set_defaults(handler=run_halt)

    rc = fs.add_parser(
        "reconcile", help="start and end the windows that are due (run from cron or a pod)"
    )
    rc.add_argument("--once", action="store_true", help="one pass, then exit")
    rc.add_argument(
        "--interval",
        type=duration_up_to(MAX_DURATION_S, least_s=1.0),  # 0 would spin a core
        default=10.0,
        metavar="DURATION",
        help="between passes (default 10s)",
    )
    rc.set_defaults(handler=run_reconcile)


def end_reason(text: str) -> str:
    """`faults end --reason`: refused as the dashboard's `e` refuses it (too short)."""
    if why := end_reason_problem(text):
        raise argparse.ArgumentTypeError(why.rstrip("."))
    return " ".join(text.split())


def _run(args: argparse.Namespace, job: Any) -> int:
    from backends.wiring import build_sources

    sources = build_sources(load_config(args))

    async def go() -> int:
        try:
            code: int = await job(sources)
            return code
        finally:
            await sources.aclose()

    return asyncio.run(go())


def _actor(sources: Any) -> Any:
    from backends.models import Actor

    return Actor(name=sources.ctx.actor)


def run_list(args: argparse.Namespace) -> int:
    async def job(sources: Any) -> int:
        snap = await first_snapshot(sources, "faults")
        now = sources.ctx.clock.now()
        if args.json:
            json.dump(snapshot_json(snap, now), sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            for line in list_lines(snap, now):
                print(line)
            if snap.health.last_error:
                print(f"source error: {shown(snap.health.last_error)}", file=sys.stderr)
            elif not snap.windows:
                print("no fault windows", file=sys.stderr)  # stdout stays empty for scripts
        return 1 if snap.health.state == "error" else 0

    return _run(args, job)


@mutating
def run_schedule(args: argparse.Namespace) -> int:
    req = request_from(args)
    fenced(req, args)  # the command line's own fence, flags named

    async def job(sources: Any) -> int:
        from backends.report_faults import guard_words
        from tui.fmt import duration

        latency = await first_snapshot(sources, "latency")  # the routes its guards may name
        checked = guards_checked(req, latency)
        w = await sources["faults"].schedule(checked, _actor(sources))
        now = sources.ctx.clock.now()
        wait = w.starts_at - now
        today = now.astimezone(UTC).date()  # not today: with its date, as `faults list`
        print(
            f"{w.id} {'started' if w.applied else 'scheduled'}:"
            f" {w.spec.namespace}/{w.spec.target_host}"
            f" {span(w.starts_at, w.ends_at, today)}"
            f" ({duration(w.ends_at - w.starts_at)}"
            f"{f', starts in {duration(wait)}' if wait.total_seconds() >= 1 else ''})"
        )
        if w.guards.p999_ms_above is not None or w.guards.error_rate_above is not None:
            print(f"  guards: {guard_words(w.guards)}")
        return 0

    return _run(args, job)


def unaudited(sources: Any, what: str, exc: Exception) -> int:
    """A removal done but not audited (UnauditedRemoval): said on stderr, where it is
    logged, and exit 1; what it did is on stdout all the same."""
    from tui.logsetup import LOG_NAME

    where = sources.ctx.data_dir / LOG_NAME
    print(f"watchfloor: {what} done, but {shown(str(exc))} (logged in {where})", file=sys.stderr)
    return 1


@mutating
def run_end(args: argparse.Namespace) -> int:
    from backends.contracts import UnauditedRemoval

    async def job(sources: Any) -> int:
        actor = _actor(sources)
        try:
            await sources["faults"].end(args.id, actor, args.reason)
        except UnauditedRemoval as exc:
            print(f"{args.id} ended")
            return unaudited(sources, "ending the window", exc)
        after = await first_snapshot(sources, "faults")
        # and what else came out of the mesh with it (a fault someone edited meanwhile)
        done = next((w for w in getattr(after, "windows", ()) if w.id == args.id), None)
        said = ended_by(actor.name, args.reason)
        more = said_with_more(done.end_reason, said) if done is not None else None
        print(f"{args.id} ended" + (f"; {shown(more)}" if more else ""))
        return 0

    return _run(args, job)


@mutating
def run_halt(args: argparse.Namespace) -> int:
    """HALT ALL always runs; if the audit trail could not record it, it says so and exits 1."""
    from backends.contracts import UnauditedRemoval

    async def job(sources: Any) -> int:
        sent_at = sources.ctx.clock.now()
        actor = _actor(sources)
        failed: Exception | None = None
        try:
            n = await sources["faults"].halt_all(actor, args.reason)
        except HaltIncomplete as exc:  # which it ended, and which are still in the mesh
            print(f"HALT ALL incomplete: {shown(str(exc))}. Run it again to retry", file=sys.stderr)
            return 1
        except UnauditedRemoval as exc:
            n, failed = exc.result if isinstance(exc.result, int) else 0, exc
        after = await first_snapshot(sources, "faults")  # which of them had started
        print(f"HALT ALL: {halt_words(after.windows, sent_at, actor.name, args.reason, n)}")
        return 0 if failed is None else unaudited(sources, "HALT ALL", failed)

    return _run(args, job)


@mutating  # ends windows (removes their faults) and starts scheduled ones
def run_reconcile(args: argparse.Namespace) -> int:
    from backends.contracts import FaultReconciler

    async def job(sources: Any) -> int:
        src = sources["faults"]
        if not isinstance(src, FaultReconciler):
            print(f"faults backend {src.name!r} cannot reconcile", file=sys.stderr)
            return 1
        latest: dict[str, Any] = {}
        first = asyncio.Event()

        async def listen() -> None:
            async for snap in sources["latency"].watch():
                latest["latency"] = snap
                first.set()

        feed = asyncio.create_task(listen())
        try:
            # guards need latency data: give the latency source a moment to answer once
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(first.wait(), timeout=LATENCY_WAIT_S)
            while True:
                for line in await src.reconcile(latest.get("latency")):
                    print(shown(line), flush=True)
                if args.once:
                    return 0
                await asyncio.sleep(args.interval)
        finally:
            feed.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await feed

    return _run(args, job)
