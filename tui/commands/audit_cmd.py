"""`watchfloor audit verify [--json]` and `watchfloor audit list`: the audit trail.

verify exits 0 when the hash chain and every signed digest check out, 1 naming the
first bad record when any record was edited, deleted, reordered, or the tail cut off (or
the digest mirror is missing, emptied, cut short, or a line of it is not its digest, in
order), and 3 naming the file when the signing key or its public key is missing (or they
do not belong together). It never writes a key. It prints the public key's fingerprint
and the chain head, to record off the machine: `--expect-key` (or `audit.expect_key`)
then fails with 3 on another key (a trail re-signed with a new pair), `--expect-head`
with 1 when that head is no longer in the chain (a tail cut from the database and the
mirror alike, or a rewritten trail), which nothing in the data dir alone can show.

list checks the trail as well: records from the first bad one on are marked `!` (and
`"verified": false` in JSON), with a warning on stderr; it still lists them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any

from backends.audit_pins import parse_head, parse_key, short_head, short_key
from backends.audit_text import who
from backends.models import AuditRecord, AuditVerification
from tui.commands.common import load_config, within
from tui.commands.table import table_lines


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="check or show the audit trail")
    aus = p.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    v = aus.add_parser("verify", help="check the hash chain and the signed digests")
    v.add_argument("--json", action="store_true", help="JSON output")
    v.add_argument(
        "--expect-key",
        type=_pin(parse_key),
        default=None,
        metavar="FINGERPRINT",
        help="the signing key's fingerprint as verify printed it (sha256:...): exit 3 on"
        " another key (default: the config's audit.expect_key)",
    )
    v.add_argument(
        "--expect-head",
        type=_pin(parse_head),
        default=None,
        metavar="SEQ:HASH",
        help="a head verify printed before: exit 1 when it is no longer in the chain"
        " (the tail cut off, or the trail rewritten)",
    )
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


def _pin(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """argparse type: a bad fingerprint or head is a usage error (exit 2), said as such."""

    def parsed(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parsed


def _verify(args: argparse.Namespace) -> AuditVerification:
    from backends.wiring import build_sources

    sources = build_sources(load_config(args))

    async def go() -> AuditVerification:
        try:
            result: AuditVerification = await sources["audit"].verify(
                expect_key=args.expect_key or "", expect_head=args.expect_head
            )
            return result
        finally:
            await sources.aclose()

    return asyncio.run(go())


EXIT_TAMPERED = 1
EXIT_KEY = 3  # 2 is argparse's usage error


def verify_lines(result: AuditVerification) -> list[str]:
    """What is wrong, a line each, for stderr: the tampering, then the key."""
    lines = []
    if result.problem:
        where = f"record {result.first_bad_seq}" if result.first_bad_seq is not None else "trail"
        lines.append(f"TAMPERED: {where}: {result.problem}")
    if result.key_problem:
        lines.append(f"SIGNING KEY: {result.key_problem}")
    return lines


def pins_line(result: AuditVerification) -> str:
    """What to record off the machine, and how to check against it later: only there
    does a re-signed trail or a tail cut from the database and the mirror alike show."""
    key = short_key(result.key_fingerprint) if result.key_fingerprint else "(no public key)"
    head = short_head(result.head_seq, result.head_hash)
    check = f"--expect-key {key} " if result.key_fingerprint else ""
    return (
        f"key {key}, head {head}: record these off the machine, and check later with"
        f" {check}--expect-head {head}"
    )


def run_verify(args: argparse.Namespace) -> int:
    result = _verify(args)
    if args.json:
        print(result.model_dump_json(indent=2))
    elif result.ok:
        print(f"ok: {result.records} records, {result.digests} signed digests, chain intact")
        if result.head_seq:
            print(pins_line(result))
    for line in [] if args.json else verify_lines(result):
        print(line, file=sys.stderr)
    if result.problem:
        return EXIT_TAMPERED
    return EXIT_KEY if result.key_problem else 0


def _list_and_verify(args: argparse.Namespace) -> tuple[list[AuditRecord], AuditVerification]:
    from backends.wiring import build_sources

    sources = build_sources(load_config(args))

    async def go() -> tuple[list[AuditRecord], AuditVerification]:
        try:
            audit = sources["audit"]
            return await audit.records(args.limit), await audit.verify()
        finally:
            await sources.aclose()

    return asyncio.run(go())


def unverified_from(result: AuditVerification) -> int | None:
    """The first seq not vouched for: verification stops at the first bad record."""
    return result.first_bad_seq if result.problem else None


def run_list(args: argparse.Namespace) -> int:
    records, result = _list_and_verify(args)
    bad_from = unverified_from(result)

    def vouched(r: AuditRecord) -> bool:
        return bad_from is None or r.seq < bad_from

    failed = 1 if result.problem else 0  # listed all the same; a script sees it failed
    if result.problem:
        marked = f"; records marked ! ({bad_from} on) are not vouched for" if bad_from else ""
        print(f"watchfloor: the audit trail fails verification{marked}:", file=sys.stderr)
    elif result.key_problem:
        print("watchfloor: the audit trail could not be fully verified:", file=sys.stderr)
    for line in verify_lines(result):
        print(f"  {line}", file=sys.stderr)
    if args.json:
        docs = [{**r.model_dump(mode="json"), "verified": vouched(r)} for r in records]
        json.dump(docs, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return failed
    any_bad = not all(vouched(r) for r in records)
    rows = [
        (
            f"{r.seq}{'' if not any_bad else ' ' if vouched(r) else '!'}",
            f"{r.at:%Y-%m-%d %H:%M:%S}Z",
            who(r.actor, r.details),
            r.action,
            r.phase,
            r.target,
            # why it was asked for (a request's), or what came of it (an outcome's): last,
            # so that a long "failed: ..." pushes no other column out of line
            r.outcome if r.phase == "outcome" else r.details.get("reason", ""),
        )
        for r in records
    ]
    header = ("SEQ", "AT", "ACTOR", "ACTION", "PHASE", "TARGET", "REASON / OUTCOME")
    for line in table_lines(header, rows, right=frozenset({0})):
        print(line)
    if not records:
        print("no audit records yet", file=sys.stderr)  # stdout stays empty for scripts
    return failed
