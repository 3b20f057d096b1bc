"""Headless subcommands of `watchfloor`, one module per command group.

Each module has `register(subparsers)` which adds its parser and sets `handler` to a
function `(args) -> int`. Handlers load the config themselves through `tui.commands.common`.
"""

from __future__ import annotations

from tui.commands import backends_cmd, config_cmd, screenshot_cmd, snapshot_cmd

MODULES = (snapshot_cmd, screenshot_cmd, config_cmd, backends_cmd)
