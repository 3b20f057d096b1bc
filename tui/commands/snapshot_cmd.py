"""`watchfloor snapshot --json [--for 10s]`: what every pane sees, as one JSON document."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from tui.commands.common import duration, load_config


def register(sub: Any) -> None:
    p = sub.add_parser("snapshot", help="print what every pane sees as JSON, then exit")
    p.add_argument("--json", action="store_true", help="JSON output (the only format)")
    p.add_argument(
        "--for",
        dest="listen",
        type=duration,
        default=0.0,
        metavar="DURATION",
        help="listen to streaming sources this long first (e.g. 10s)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from backends.wiring import build_sources
    from tui.headless import collect, document

    loaded = load_config(args)
    sources = build_sources(loaded, polled=False)  # it exits: nothing retries later
    latest = asyncio.run(collect(sources, args.listen, _progress if _tty() else None))
    json.dump(document(sources, latest), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def _tty() -> bool:
    return sys.stderr.isatty()


def _progress(text: str) -> None:
    """One line on the terminal, rewritten in place; "" clears it (stdout is the JSON)."""
    sys.stderr.write(f"\r{text}\x1b[K" if text else "\r\x1b[K")
    sys.stderr.flush()
