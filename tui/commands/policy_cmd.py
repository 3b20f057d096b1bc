"""`watchfloor policy replay CANDIDATE.rego [--events FILE]`: a policy dry-run, headless.

Replays recorded decisions through the candidate and prints which outcomes flip,
grouped by service and tenant. Without --events it listens to the configured access
source for a while (--for) and replays the decisions it keeps in memory
(tui/commands/replay_source.py); a source that cannot be reached, or nothing to replay,
is said in one line, exit 1, never a "replayed 0 decisions" that passes in CI. Nothing is
applied anywhere. It says which decisions it replayed (their time span, and when there
were fewer than --last: all there were), and warns of a decision rule without a default.
Exit status: see EXIT_STATUS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from backends.text_safe import shown
from tui.commands.common import duration
from tui.commands.replay_source import listen, nothing_to_replay, unreachable

# pre-wrapped (RawDescriptionHelpFormatter keeps the table's layout): under 80 columns
EXIT_STATUS = """exit status:
  0  every decision replayed (flips or not, unless --fail-on-flips)
  1  some decisions could not be evaluated (no flips among the rest is not a
     pass), or, with --fail-on-flips, some outcome flips; nothing to replay (no
     decisions kept, or none in the file); the access source cannot be reached
  2  bad usage: no such file, a candidate that does not compile, a source that
     keeps no decisions"""


def register(sub: Any) -> None:
    p = sub.add_parser("policy", help="policy dry-run: replay decisions through a candidate")
    ps = p.add_subparsers(dest="policy_command", metavar="COMMAND", required=True)
    r = ps.add_parser(
        "replay",
        help="show which recorded outcomes a candidate policy flips",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("candidate", type=Path, help="the candidate policy (.rego)")
    r.add_argument(
        "--with",
        dest="extra",
        type=Path,
        action="append",
        default=[],
        metavar="FILE.rego",
        help="another module the candidate needs (repeatable)",
    )
    r.add_argument(
        "--events", type=Path, help="OPA decision-log events (JSON array or lines, gzip ok)"
    )
    r.add_argument("--last", type=_count, default=5000, metavar="N", help="replay the last N")
    r.add_argument(
        "--for",
        dest="listen",
        type=duration,
        default=3.0,
        metavar="DURATION",
        help="without --events: collect from the access source this long first (3s)",
    )
    r.add_argument("--entrypoint", default=None, help="default: each event's path")
    r.add_argument("--json", action="store_true", help="JSON output")
    r.add_argument("--fail-on-flips", action="store_true", help="exit 1 if any outcome flips")
    r.set_defaults(handler=run)


def _count(text: str) -> int:
    """argparse type: a whole number of decisions, at least 1."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return n


def run(args: argparse.Namespace) -> int:
    from backends.replay import PolicyError, load_events, replay
    from backends.replay_words import scope, warnings

    files = [args.candidate, *args.extra]
    for f in files:
        if not f.is_file():
            why = "a directory, not a policy file" if f.is_dir() else "no such file"
            print(f"watchfloor policy replay: {f}: {why}", file=sys.stderr)
            return 2
    skipped = 0
    heard = None
    try:
        if args.events is not None:
            decisions, skipped = load_events(args.events, limit=args.last)
        else:
            heard = asyncio.run(listen(args))
            decisions = heard.decisions
    except OSError as exc:  # --events: say which file and why, not "[Errno 2] ..."
        print(f"watchfloor policy replay: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"watchfloor policy replay: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:
        print(f"watchfloor policy replay: {exc}", file=sys.stderr)
        return 2
    if not decisions:  # "replayed 0 decisions ... 0 unchanged" checked nothing
        if heard is None:
            also = f" ({skipped:,} entries were not decision events)" if skipped else ""
            why = f"nothing to replay: no decision events in {args.events}{also}"
        else:
            why = unreachable(heard, args.listen) or nothing_to_replay(heard, args.listen)
        print(f"watchfloor policy replay: {why}", file=sys.stderr)
        return 1
    if heard is not None and (down := unreachable(heard, args.listen)):
        print(f"warning: {down}; replaying the decisions kept before", file=sys.stderr)
    try:
        report = replay(decisions, files, entrypoint=args.entrypoint, asked=args.last)
    except PolicyError as exc:
        print(f"watchfloor policy replay: {exc}", file=sys.stderr)
        return 2
    held = f"in {args.events.name}" if args.events is not None else "kept"
    if args.json:
        doc = report.to_json() | {"skipped": skipped, "warnings": warnings(report)}
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(
            f"replayed {scope(report, held)} through {args.candidate} in"
            f" {report.seconds:.2f}s (dry-run, nothing applied): {report.allow_to_deny:,}"
            f" allow->deny, {report.deny_to_allow:,} deny->allow, {report.unchanged:,}"
            f" unchanged" + (f", {report.errors} errors" if report.errors else "")
        )
        if skipped:
            print(f"skipped {skipped:,} entries that were not decision events")
        if report.groups:
            print(
                f"{'service':<16} {'tenant':<12} {'replayed':>8} {'allow->deny':>11}"
                f" {'deny->allow':>11}"
            )
            for g in report.groups:
                service, tenant = shown(g.service), shown(g.tenant)  # from the decision log
                print(
                    f"{service:<16} {tenant:<12} {g.replayed:>8,} {g.allow_to_deny:>11,}"
                    f" {g.deny_to_allow:>11,}"
                )
        if report.first_error:
            print(f"first error: {shown(report.first_error)}", file=sys.stderr)
        for warning in warnings(report):
            print(f"warning: {shown(warning)}", file=sys.stderr)
    flipped = report.allow_to_deny + report.deny_to_allow
    return 1 if report.errors or (args.fail_on_flips and flipped) else 0
