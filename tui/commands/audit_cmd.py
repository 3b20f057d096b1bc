"""`watchfloor audit verify [--json]` and `watchfloor audit list`: the audit trail.

verify exits 0 when the hash chain and every signed digest check out, and 1 naming the
first bad record when any record was edited, deleted, reordered, or the tail cut off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from backends.audit_text import outcome_suffix
from backends.models import AuditRecord, AuditVerification
from tui.commands.common import load_config, within
from tui.commands.table import table_lines


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="check or show the audit trail")
    aus = p.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    v = aus.add_parser("verify", help="check the hash chain and the signed digests")
    v.add_argument("--json", action="store_true", help="JSON output")
    v.set_defaults(handler=run_verify)
    ls = aus.add_parser("list", help="the latest audit records")
    ls.add_argument(
        "--limit",
        type=within(1, 1_000_000, integer=True),
        default=20,
        metavar="N",
        help="how many of the latest records (default 20), listed oldest first",
    )
    ls.add_argument("--json", action="store_true", help="JSON output")
    ls.set_defaults(handler=run_list)


def _with_audit(args: argparse.Namespace, call: str, *a: Any) -> Any:
    from backends.wiring import build_sources

    sources = build_sources(load_config(args))

    async def go() -> Any:
        try:
            return await getattr(sources["audit"], call)(*a)
        finally:
            await sources.aclose()

    return asyncio.run(go())


def run_verify(args: argparse.Namespace) -> int:
    result: AuditVerification = _with_audit(args, "verify")
    if args.json:
        print(result.model_dump_json(indent=2))
    elif result.ok:
        print(f"ok: {result.records} records, {result.digests} signed digests, chain intact")
    else:
        where = f"record {result.first_bad_seq}" if result.first_bad_seq is not None else "trail"
        print(f"TAMPERED: {where}: {result.problem}", file=sys.stderr)
    return 0 if result.ok else 1


def run_list(args: argparse.Namespace) -> int:
    records: list[AuditRecord] = _with_audit(args, "records", args.limit)
    if args.json:
        json.dump([r.model_dump(mode="json") for r in records], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    rows = [
        (
            str(r.seq),
            f"{r.at:%Y-%m-%d %H:%M:%S}Z",
            r.actor,
            r.action,
            r.phase,
            f"{r.target}{outcome_suffix(r)}",
            r.details.get("reason", ""),  # why it was asked for (a request's)
        )
        for r in records
    ]
    header = ("SEQ", "AT", "ACTOR", "ACTION", "PHASE", "TARGET / OUTCOME", "REASON")
    for line in table_lines(header, rows, right=frozenset({0})):
        print(line)
    if not records:
        print("no audit records yet", file=sys.stderr)  # stdout stays empty for scripts
    return 0
