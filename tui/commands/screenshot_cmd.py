"""`watchfloor screenshot FILE.svg`: the dashboard rendered headless, once every pane has data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tui.commands.common import duration, load_config


def register(sub: Any) -> None:
    p = sub.add_parser("screenshot", help="save an SVG of the dashboard, rendered headless")
    p.add_argument("out", type=Path, help="the SVG file to write")
    p.add_argument("--size", default="160x50", help="terminal size COLSxROWS (default 160x50)")
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

    from backends.wiring import build_sources
    from tui.app import WatchfloorApp

    try:
        cols, rows = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise SystemExit(f"watchfloor: --size wants COLSxROWS, got {args.size!r}") from None
    loaded = load_config(args)
    app = WatchfloorApp(build_sources(loaded), theme=loaded.config.ui.theme)

    async def shoot() -> None:
        async with app.run_test(size=(cols, rows)) as pilot:
            for _ in range(400):
                if app.all_panes_filled():
                    break
                await pilot.pause(0.05)
            await pilot.pause(args.after)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(app.export_screenshot(title="Watchfloor"))

    asyncio.run(shoot())
    print(args.out)
    return 0
