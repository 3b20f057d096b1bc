"""`watchfloor backends`: the installed backends, from package metadata (imports none)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("backends", help="list installed backends (imports none of them)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from backends.registry import available

    for name in available():
        print(name)
    return 0
