"""`watchfloor config check [FILE]`: validate the layered config without starting the UI."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from backends.contracts import CAPABILITIES
from backends.wiring import data_dir_for
from tui.commands.common import load_config


def register(sub: Any) -> None:
    p = sub.add_parser("config", help="configuration commands")
    cs = p.add_subparsers(dest="config_command", metavar="COMMAND", required=True)
    check = cs.add_parser("check", help="validate a config file without starting the UI")
    check.add_argument("file", nargs="?", type=Path, help="file to check (default: as the UI)")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    # every profile, and what the dashboard would refuse at start ([keys], ui.theme) too;
    # a data dir that is not there yet is left so (it made one for a config with a typo)
    # and every plugin it names is imported: one that cannot be is refused here (the
    # dashboard shows it as its panes' error)
    loaded = load_config(args, args.file, ui=True, use_data_dir=False, imports=True)
    cfg = loaded.config
    profiles = ", ".join(sorted(loaded.profiles)) or "none defined"
    active = f" (active: {cfg.profile})" if cfg.profile else ""
    layers = " < ".join(str(f) for f in loaded.files)
    print(f"ok: {layers} < environment; profiles checked: {profiles}{active}")
    for cap in CAPABILITIES:
        print(f"  {cap:8} -> {cfg.backend_for(cap)}")
    data_dir = data_dir_for(loaded)
    later = "" if data_dir.is_dir() else " (does not exist yet: made when first used)"
    print(f"  data dir: {data_dir}{later}")
    return 0
