"""`watchfloor grants list|grant|revoke`: break-glass access without the dashboard.

Each goes through the configured GrantSource, the same path as the TUI: validate ->
policy -> step-up -> audit (fail closed) -> apply -> audit the outcome.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import timedelta
from typing import Any

from backends.contracts import ActionRefused
from backends.grant_rules import REASON_RULE
from backends.models import Actor, GrantsSnapshot, HealthState
from backends.text_safe import shown
from backends.timeline_words import vanished_text
from tui.commands.common import first_snapshot, load_config, mutating
from tui.commands.table import table_lines
from tui.fmt import duration
from tui.requests import DEFAULT_TTL, BadInput, grant_request, parse_ttl


def register(sub: Any) -> None:
    p = sub.add_parser("grants", help="list, grant and revoke break-glass access")
    gs = p.add_subparsers(dest="grants_command", metavar="COMMAND", required=True)
    ls = gs.add_parser("list", help="active grants with time left; exit 1 if one is not as audited")
    ls.add_argument("--json", action="store_true", help="JSON output")
    ls.set_defaults(handler=run_list)
    g = gs.add_parser("grant", help="grant a role for a while (needs a step-up code)")
    g.add_argument("--subject", required=True, help="who gets the role")
    g.add_argument("--role", required=True, help="the role, e.g. sre-oncall")
    g.add_argument("--reason", required=True, help=f"why: {REASON_RULE}")
    g.add_argument(
        "--ttl", type=ttl, default=DEFAULT_TTL, help="how long: 30m (default), 2h, 90s; at most 24h"
    )
    g.add_argument("--code", required=True, help="the step-up code (TOTP) from your app")
    g.add_argument("--json", action="store_true", help="print the grant as JSON")
    g.set_defaults(handler=run_grant)
    r = gs.add_parser("revoke", help="end a grant now")
    r.add_argument("id", help="the grant id (see `watchfloor grants list`)")
    r.add_argument("--reason", required=True, help=f"why it is revoked: {REASON_RULE}")
    r.set_defaults(handler=run_revoke)


def ttl(text: str) -> timedelta:
    """argparse type: a TTL as the grant form reads it; a bad one is a usage error (exit 2)."""
    try:
        return parse_ttl(text, name="")
    except BadInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


async def _first(sources: Any) -> GrantsSnapshot:
    snap = await first_snapshot(sources, "grants")
    if snap is None:
        raise ActionRefused("the grants source gave no data")
    return snap  # type: ignore[no-any-return]


def run_list(args: argparse.Namespace) -> int:
    from backends.wiring import build_sources

    sources = build_sources(load_config(args))

    async def go() -> GrantsSnapshot:
        try:
            return await _first(sources)
        finally:
            await sources.aclose()

    snap = asyncio.run(go())
    marked = [g for g in snap.grants if g.audit_problem]
    if args.json:
        json.dump(snap.model_dump(mode="json"), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_table(snap, marked=bool(marked))
        if not snap.grants and snap.health.state is not HealthState.ERROR:
            # stdout stays empty for scripts; a failing source's empty list is not "none"
            print("no active grants", file=sys.stderr)
    if marked:
        n = len(marked)
        how = "their audit_problem says why" if args.json else "marked !"
        print(
            f"watchfloor: {n} {'grant listed is' if n == 1 else 'grants listed are'} not as"
            f" the audit trail has them ({how}): edited or inserted in the store by hand?"
            " `watchfloor audit verify` explains",
            file=sys.stderr,
        )
    for e in snap.ended:  # the alert's words: gone with no revoke on record (OPA lost it)
        if e.how == "unlisted":
            what = f"grant {e.id} ({e.role} for {e.subject})"
            print(f"watchfloor: {shown(what)} {vanished_text(e, snap.source)}", file=sys.stderr)
    if snap.health.state is HealthState.ERROR:
        print(f"watchfloor: grants source: {shown(snap.health.last_error or '')}", file=sys.stderr)
    # a grant not as audited is not a clean list: scripts go by the status
    return 1 if marked or snap.health.state is HealthState.ERROR else 0


def print_table(snap: GrantsSnapshot, *, marked: bool) -> None:
    """The grants as a table, one marked `!` (and why) where it is not as audited."""
    now = snap.observed_at
    rows = [
        (
            f"{'!' if g.audit_problem else ' ' if marked else ''}{g.id}",
            g.subject,
            g.role,
            "EXPIRED" if g.expired(now) else duration(g.remaining(now)),
            g.granted_by,
            f"! {g.audit_problem} · {g.reason}" if g.audit_problem else g.reason,
        )
        for g in snap.grants
    ]
    header = ("ID", "SUBJECT", "ROLE", "LEFT", "GRANTED BY", "REASON")
    for line in table_lines(header, rows, right=frozenset({3})):
        print(line)


@mutating
def run_grant(args: argparse.Namespace) -> int:
    from backends.wiring import build_sources

    try:
        req = grant_request(args.subject, args.role, args.reason, args.ttl, args.code)
    except BadInput as exc:
        raise ActionRefused(str(exc)) from None
    sources = build_sources(load_config(args))
    actor = Actor(name=sources.ctx.actor)

    async def go() -> Any:
        try:
            return await sources["grants"].grant(req, actor)
        finally:
            await sources.aclose()

    g = asyncio.run(go())
    if args.json:
        print(g.model_dump_json(indent=2))
    else:
        print(f"granted {g.id}: {g.subject} has {g.role} until {g.expires_at:%Y-%m-%d %H:%M:%S}Z")
    return 0


@mutating
def run_revoke(args: argparse.Namespace) -> int:
    from backends.wiring import build_sources

    sources = build_sources(load_config(args))
    actor = Actor(name=sources.ctx.actor)

    async def go() -> None:
        try:
            await sources["grants"].revoke(args.id, actor, args.reason)
        finally:
            await sources.aclose()

    asyncio.run(go())
    print(f"revoked {args.id}")
    return 0
