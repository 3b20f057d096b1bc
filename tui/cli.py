"""`watchfloor`: the dashboard, and its headless subcommands (tui/commands/).

Textual is imported only when the dashboard itself starts, so headless commands stay quick.
Exit status: 0 fine, 1 a command failed, 2 bad usage or bad configuration.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from backends.config import ConfigError
from backends.contracts import ActionRefused
from tui.commands import MODULES
from tui.commands.common import load_config


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="watchfloor",
        description="A terminal cockpit for SREs. With no configuration it runs on a local "
        "simulation of the platform.",
    )
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="config file (default: $XDG_CONFIG_HOME/watchfloor/config.toml)",
    )
    p.add_argument(
        "--profile",
        metavar="NAME",
        help="a named profile from the config, e.g. stage (or $WATCHFLOOR_PROFILE)",
    )
    p.add_argument(
        "--read-only",
        action="store_true",
        help="refuse every mutating action (keys hidden, commands refused)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for module in MODULES:
        module.register(sub)
    p.set_defaults(handler=run_dashboard)
    return p


def run_dashboard(args: argparse.Namespace) -> int:
    from backends.wiring import build_sources
    from tui.app import WatchfloorApp

    loaded = load_config(args)
    app = WatchfloorApp(build_sources(loaded), theme=loaded.config.ui.theme)
    app.run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except ConfigError as exc:
        print(f"watchfloor: configuration error:\n{exc}", file=sys.stderr)
        return 2
    except ActionRefused as exc:
        print(f"watchfloor: refused: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
