"""`watchfloor stepup enroll [--rotate]`: set up step-up codes for break-glass grants.

Prints the otpauth:// URI and a QR code to scan with an authenticator app.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from typing import Any

from tui.commands.common import load_config, mutating


def register(sub: Any) -> None:
    p = sub.add_parser("stepup", help="step-up authentication for break-glass grants")
    ss = p.add_subparsers(dest="stepup_command", metavar="COMMAND", required=True)
    e = ss.add_parser("enroll", help="create the step-up secret; show its URI and a QR code")
    e.add_argument("--rotate", action="store_true", help="replace an existing secret")
    e.add_argument("--no-qr", action="store_true", help="print the URI only")
    e.set_defaults(handler=run_enroll)


def qr_text(uri: str) -> str:
    import segno

    out = io.StringIO()
    segno.make(uri, error="m").terminal(out=out, compact=True)
    return out.getvalue()


@mutating  # with or without --rotate it writes a secret; it never shows an existing one
def run_enroll(args: argparse.Namespace) -> int:
    from backends.wiring import build_sources

    sources = build_sources(load_config(args))

    async def go() -> str:
        try:
            uri: str = await sources["stepup"].enroll(sources.ctx.actor, rotate=args.rotate)
            return uri
        finally:
            await sources.aclose()

    uri = asyncio.run(go())
    print("Scan this with an authenticator app (or enter the URI by hand):")
    print(uri)
    if not args.no_qr:
        sys.stdout.write(qr_text(uri))
    print("Then use its 6-digit code as the step-up code of a grant.")
    return 0
