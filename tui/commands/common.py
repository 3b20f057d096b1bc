"""What every subcommand shares: loading the config, durations, output helpers."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

from backends.config import ConfigError, LoadedConfig, check_backends, load
from backends.contracts import ActionRefused
from backends.wiring import data_dir_for
from tui.logsetup import setup_logging

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def duration(text: str) -> float:
    """argparse type: '10s', '2m', '500ms', '1.5h' or plain seconds."""
    m = _DURATION.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 10s, 2m, 500ms)")
    return float(m.group(1)) * _UNIT[m.group(2)]


def delay(text: str) -> float:
    """argparse type for an injected delay: a duration with its unit ('800ms', '2s'). A bare
    number is refused: the fault-window form reads it as ms, `duration` as seconds."""
    m = _DURATION.match(text)
    if m and m.group(2) is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a unit: 800ms or 2s")
    return duration(text)


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
    args: argparse.Namespace, path: Path | None = None, profile: str | None = None
) -> LoadedConfig:
    """Load and check the config named by --config (or `path`). Raises ConfigError."""
    loaded = load(
        path or getattr(args, "config", None), profile=profile or getattr(args, "profile", None)
    )
    data_dir = data_dir_for(loaded)
    try:
        setup_logging(data_dir)  # makes the data dir: the first thing that needs it
    except OSError as exc:
        where = loaded.where(("data_dir",)) if loaded.config.data_dir else "the default"
        why = "a file, not a directory" if data_dir.is_file() else exc.strerror or str(exc)
        raise ConfigError(f"{where}: data_dir: {data_dir} cannot be used: {why}") from None
    check_backends(loaded)
    return loaded
