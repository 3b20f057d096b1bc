"""`watchfloor screenshot FILE.svg`: the dashboard rendered headless, once every pane has data."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from tui.commands.common import duration, load_config

SMALLEST, LARGEST = (20, 5), (1000, 500)


def svg_file(text: str) -> Path:
    """argparse type: the file to write; a directory, or a path through a file, is a usage
    error (exit 2), said before the dashboard is rendered."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} is a directory; name the file, e.g. {path / 'watchfloor.svg'}"
        )
    blocker = next((a for a in path.parents if a.exists() and not a.is_dir()), None)
    if blocker is not None:  # it said "cannot write out.svg/x.svg: File exists", late
        raise argparse.ArgumentTypeError(f"{text!r}: {blocker} is a file, not a directory")
    return path


def size(text: str) -> tuple[int, int]:
    """argparse type: COLSxROWS, e.g. 160x50, within SMALLEST and LARGEST."""
    cols, sep, rows = text.lower().strip().partition("x")
    if not (sep and cols.isdecimal() and rows.isdecimal()):
        raise argparse.ArgumentTypeError(f"{text!r} is not COLSxROWS, e.g. 160x50")
    got = (int(cols), int(rows))
    if not all(lo <= n <= hi for lo, n, hi in zip(SMALLEST, got, LARGEST, strict=True)):
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range: {SMALLEST[0]}x{SMALLEST[1]} to {LARGEST[0]}x{LARGEST[1]}"
        )
    return got


def register(sub: Any) -> None:
    p = sub.add_parser("screenshot", help="save an SVG of the dashboard, rendered headless")
    p.add_argument("out", type=svg_file, help="the SVG file to write")
    p.add_argument(
        "--size", type=size, default="160x50", help="terminal size COLSxROWS (default 160x50)"
    )
    p.add_argument(
        "--after",
        type=duration,
        default=1.0,
        metavar="DURATION",
        help="wait this long after every pane has data (default 1s)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    # an SVG has every colour: ui.theme as it is, not the ANSI theme a terminal of 16
    # colours gets (tui.look); read when Textual is first imported, just below
    os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "truecolor")

    from backends.wiring import build_sources
    from tui.app import WatchfloorApp

    loaded = load_config(args)
    # it exits with the picture: nothing it shows may promise a retry ("retrying in 300s")
    sources = build_sources(loaded, polled=False)
    app = WatchfloorApp(sources, theme=loaded.config.ui.theme)

    async def shoot() -> str:
        async with app.run_test(size=args.size) as pilot:
            for _ in range(400):
                if app.all_panes_filled():
                    break
                await pilot.pause(0.05)
            await pilot.pause(args.after)
            return app.export_screenshot(title="Watchfloor")

    svg = asyncio.run(shoot())
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(svg)
    except OSError as exc:  # a runtime failure (exit 1), e.g. no permission, a full disk
        print(
            f"watchfloor: screenshot: cannot write {args.out}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    print(args.out)
    return 0
