"""`watchfloor`: the dashboard, and its headless subcommands (tui/commands/).

Textual is imported only when the dashboard itself starts, so headless commands stay quick.
Exit status: 0 fine, 1 a command failed (or the dashboard crashed), 2 bad usage or bad
configuration, 141 the reader of the output went away (`watchfloor snapshot --json | head`),
as if killed by SIGPIPE.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import select
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from backends.config import ConfigError, LoadedConfig
from backends.contracts import ActionRefused
from backends.polling import describe_error
from backends.text_safe import shown
from tui.commands import MODULES
from tui.commands.common import load_config, refuse_if_read_only
from tui.logsetup import log_file
from tui.parse import negatives_joined

if TYPE_CHECKING:
    from tui.app import WatchfloorApp  # imported when the dashboard starts (see above)


class Parser(argparse.ArgumentParser):
    """Bad usage is one line on stderr naming the option, exit 2: `watchfloor faults
    schedule: --duration: '5h' is over 4h (see --help)`, not argparse's usage block (seven
    lines of it) before the error. Every subcommand's parser is one too (add_subparsers
    makes its parsers of the class of the parser it is called on)."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("argument -"):  # an option names itself: "--duration: ..."
            message = message.removeprefix("argument ")
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


class Subcommand(Parser):
    """A subcommand's parser: what it does not know is its usage error, naming it
    (`watchfloor faults list: unrecognized arguments: --nope`). argparse hands a
    subcommand's leftovers up to the top parser, which said `watchfloor: unrecognized
    arguments: --nope`, as if `--nope` were wrong anywhere. Its own subcommands' parsers
    are Subcommands too (add_subparsers makes them of its class)."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def parser() -> argparse.ArgumentParser:
    p = Parser(
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
    p.add_argument(
        "--version",
        action=VersionAction,
        help="print the versions of watchfloor, textual and python, then exit",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Subcommand)
    for module in MODULES:
        module.register(sub)
    p.set_defaults(handler=run_dashboard)
    return p


class VersionAction(argparse.Action):
    """--version, looked up only when asked (reading package metadata costs a few ms)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        def of(dist: str) -> str:
            try:
                return version(dist)
            except PackageNotFoundError:
                return "not installed"

        python = ".".join(map(str, sys.version_info[:3]))
        print(f"watchfloor {of('watchfloor')} (textual {of('textual')}, python {python})")
        parser.exit()


def run_dashboard(args: argparse.Namespace) -> int:
    loaded = load_config(args, ui=True)  # every profile's [keys] and ui.theme too
    not_a_tty = missing_terminals()
    if not_a_tty:  # Textual would draw escape codes into a file or pipe, and never end
        print(
            f"watchfloor: the dashboard needs a terminal; {' and '.join(not_a_tty)} "
            f"{'is not one' if len(not_a_tty) == 1 else 'are not terminals'}.\n"
            "For scripts: watchfloor snapshot --json (watchfloor --help lists the commands).",
            file=sys.stderr,
        )
        return 2

    app = dashboard_app(args, loaded)
    app.run()
    return app.return_code or 0  # 1 after an unhandled exception (Textual prints it)


def missing_terminals() -> list[str]:
    """Which of stdin and stdout are not a terminal."""
    return [name for name in ("stdin", "stdout") if not getattr(sys, name).isatty()]


def dashboard_app(args: argparse.Namespace, loaded: LoadedConfig) -> WatchfloorApp:
    """The dashboard for these arguments and this config, not yet running."""
    from backends.wiring import build_sources
    from tui.app import WatchfloorApp
    from tui.operator_actions import Profile
    from tui.profile_switch import launch_label

    cfg = loaded.config

    def switch(name: str) -> Profile:
        # checked as at start (the files may have changed since), but only the profile to
        # run; "": the config started with (it had no profile: see launch_config)
        other = load_config(args, profile=name or None, ui=True, every_profile=False)
        return Profile(build_sources(other), other.config.ui.theme, dict(other.config.keys))

    return WatchfloorApp(
        build_sources(loaded),
        theme=cfg.ui.theme,
        read_only=bool(args.read_only),  # sticks; a profile's ui.read_only follows it
        keymap=dict(cfg.keys),
        profiles=tuple(sorted(cfg.profiles)),
        active_profile=cfg.profile,
        switch_profile_to=switch,
        # started with no profile: offered to switch back to once on another
        launch_config="" if cfg.profile else launch_label(loaded.files),
    )


def logged(exc: BaseException) -> str:
    """Write `exc`'s traceback to the log file, if there is one yet: " (details: PATH)",
    or, when it could not be written there (a full disk), " (not logged: PATH: why)"."""
    handler = log_file()
    if handler is None:
        return ""
    handler.failed = ""
    logging.getLogger("watchfloor.cli").error("command failed", exc_info=exc)
    if handler.failed:
        return f" (not logged: {handler.baseFilename}: {handler.failed})"
    return f" (details: {handler.baseFilename})"


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(negatives_joined(list(sys.argv[1:] if argv is None else argv)))
    if args.handler is not run_dashboard:
        gc.enable()  # held during start-up (tui.entry); only the dashboard waits for its frame
    try:
        if getattr(args.handler, "mutating", False):
            refuse_if_read_only(args, load_config(args))
        code: int = args.handler(args)
    except ConfigError as exc:
        n = len(exc.problems)
        what = "configuration error" if n == 1 else f"{n} configuration errors"
        print(f"watchfloor: {what}:\n{exc}", file=sys.stderr)
        return 2
    except ActionRefused as exc:
        print(f"watchfloor: refused: {shown(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        if not reader_gone():
            raise  # a broken connection of the command's own, not its output
        # what is still buffered for stdout would fail again at exit: let it go nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_READER_GONE
    except Exception as exc:
        if args.handler is run_dashboard:
            raise  # its own crash report (tui/crash_report.py)
        # a headless command whose backend failed (unreachable, an HTTP error): one line,
        # and the traceback in the log for a bug report; ~60 lines of it helped nobody
        print(f"watchfloor: failed: {shown(describe_error(exc))}{logged(exc)}", file=sys.stderr)
        return 1
    return code


EXIT_READER_GONE = 128 + 13  # what a shell reports for a process killed by SIGPIPE


def reader_gone() -> bool:
    """Whether stdout is a pipe whose reader has closed it (poll reports an error)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError):
        return False


if __name__ == "__main__":
    sys.exit(main())
