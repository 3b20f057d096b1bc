"""What every subcommand shares: loading the config, durations, output helpers."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backends.config import ConfigError, LoadedConfig, gather
from backends.config_checks import config_problems
from backends.contracts import ActionRefused
from backends.faults_core import MAX_DELAY
from backends.wiring import data_dir_for
from tui.logsetup import setup_logging
from tui.parse import BadValue, seconds, span

MAX_DURATION_S = 24 * 3600.0  # longer than any wait, window or interval a command takes


def duration_up_to(most_s: float, *, least_s: float = 0.0) -> Callable[[str], float]:
    """An argparse type: a duration ('10s', '2m', '500ms', '1.5h' or plain seconds) of at
    least `least_s` and at most `most_s`; anything else is a usage error naming the
    option (exit 2)."""

    def duration(text: str) -> float:
        try:
            value = seconds(text, "", bare_unit="s", most=most_s, hint="10s, 2m, 500ms")
        except BadValue as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if value < least_s:
            raise argparse.ArgumentTypeError(f"{text.strip()!r} is under {span(least_s)}")
        return value

    return duration


duration = duration_up_to(MAX_DURATION_S)


def with_unit(most_s: float, examples: str) -> Callable[[str], float]:
    """`duration_up_to(most_s)`, with a bare number refused ("'10' needs a unit: 10m or
    90s"): for what the fault-window form reads in another unit than seconds, so the same
    figure typed in both never means two lengths."""
    parse = duration_up_to(most_s)

    def duration(text: str) -> float:
        bare = text.strip().replace(".", "", 1)
        if bare.isdigit() and float(bare) != 0:  # 0 is 0 in any unit
            raise argparse.ArgumentTypeError(f"{text.strip()!r} needs a unit: {examples}")
        return parse(text)

    return duration


# an injected delay, at most a minute: the form reads a bare number as ms
delay = with_unit(MAX_DELAY.total_seconds(), "800ms or 2s")


def finite(text: str) -> float:
    """argparse type: a number, but not nan or inf (which no limit or percentage can be)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def within(low: float, high: float, *, integer: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number from `low` to `high` (a whole one if `integer`)."""

    def number(text: str) -> float:
        value = finite(text)
        if integer and not value.is_integer():
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
        if not low <= value <= high:
            span = "-".join(str(int(v)) if float(v).is_integer() else f"{v:g}" for v in (low, high))
            raise argparse.ArgumentTypeError(f"{text!r} is not within {span}")
        return int(value) if integer else value

    return number


def percentage(text: str) -> float:
    """argparse type: a percentage, 0-100; `30`, `30%` and ` 30 % ` are the same (as in
    the fault-window form)."""
    return within(0, 100)(text.strip().removesuffix("%").rstrip())


def error_ratio(text: str) -> float:
    """argparse type: an error rate above 0, as a ratio (`0.05`) or a percentage (`5%`,
    as in the fault-window form)."""
    t = text.strip()
    if t.endswith("%"):
        value = percentage(t) / 100
    else:
        value = finite(t)
        if not 0 <= value <= 1:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a ratio within 0-1 (e.g. 0.05, or 5%)"
            )
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a guard above 0 (it would end at once)")
    if value >= 1:  # "1" read as 1%: a guard that can never trip
        raise argparse.ArgumentTypeError(
            f"{text!r} is 100%: no error rate goes above that, so it would never end the"
            " window (e.g. 0.05, or 5%)"
        )
    return value


def positive(high: float) -> Callable[[str], float]:
    """An argparse type: a finite number above 0, at most `high`."""

    def number(text: str) -> float:
        value = finite(text)
        if not 0 < value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not above 0 and at most {high:g}")
        return value

    return number


def port(text: str) -> int:
    """argparse type: a TCP port, 0-65535 (0: any free one)."""
    if not text.strip().isdecimal() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535)")
    return int(text)


async def first_snapshot(sources: Any, cap: str) -> Any:
    """The first snapshot of the pane `cap`'s source (None: its stream ended at once). A
    stream that raises (a plugin's `watch()` raising, yielding a dict or a naive time: its
    words name the plugin and its entry point, backends/plugin_guard.py) is its source's
    error, as the dashboard's pane shows it: the snapshot with its health an error, which
    a command says (and exits 1 for) as it does any source's."""
    from backends.polling import with_error
    from backends.wiring import SNAPSHOT_TYPES

    src = sources[cap]
    stream = aiter(src.watch())
    try:
        return await anext(stream)
    except StopAsyncIteration:
        return None
    except Exception as exc:
        ctx = sources.ctx
        return with_error(
            SNAPSHOT_TYPES[cap],
            None,
            exc,
            source=str(getattr(src, "name", "") or cap),
            interval_s=ctx.interval_s,
            clock=ctx.clock,
        )
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()


Handler = Callable[[argparse.Namespace], int]


def mutating(handler: Handler) -> Handler:
    """Mark a subcommand that changes something: refused in read-only mode (by tui.cli)."""
    handler.mutating = True  # type: ignore[attr-defined]
    return handler


def refuse_if_read_only(args: argparse.Namespace, loaded: LoadedConfig) -> None:
    """Mutating commands call this first: --read-only (or ui.read_only) refuses them."""
    if getattr(args, "read_only", False) or loaded.config.ui.read_only:
        raise ActionRefused("read-only mode: mutating commands are disabled")


def load_config(
    args: argparse.Namespace,
    path: Path | None = None,
    profile: str | None = None,
    *,
    ui: bool = False,
    every_profile: bool = True,
    use_data_dir: bool = True,
    imports: bool = False,
) -> LoadedConfig:
    """Load and check the config named by --config (or `path`), and every profile in it
    (or, not `every_profile`, the one it runs: a live switch). `ui`: also what the
    dashboard checks ([keys], ui.theme; this imports Textual). `use_data_dir`: make the
    data dir and log there (`config check` only checks that it could be made).
    `imports`: a plugin the config uses that cannot be loaded is a config problem (for
    `config check`; elsewhere it is its panes' error). Raises ConfigError with every
    problem found."""
    loaded = gather(
        path or getattr(args, "config", None), profile=profile or getattr(args, "profile", None)
    )
    views = loaded.views() if every_profile else [loaded]
    found = config_problems(views, imports=imports)
    if ui:
        from tui.config_check import ui_problems

        found += ui_problems(views)
    if found:
        raise ConfigError(*found)
    if not use_data_dir:
        return loaded
    data_dir = data_dir_for(loaded)
    try:
        setup_logging(data_dir)  # makes the data dir: the first thing that needs it
    except OSError as exc:
        where = loaded.where(("data_dir",)) if loaded.config.data_dir else "the default"
        why = "a file, not a directory" if data_dir.is_file() else exc.strerror or str(exc)
        raise ConfigError(f"{where}: data_dir: {data_dir} cannot be used: {why}") from None
    return loaded
