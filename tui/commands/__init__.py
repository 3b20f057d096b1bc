"""Headless subcommands of `watchfloor`, one module per command group.

Each module has `register(subparsers)` which adds its parser and sets `handler` to a
function `(args) -> int`. Handlers load the config themselves through `tui.commands.common`.
"""

from __future__ import annotations

from tui.commands import (
    audit_cmd,
    backends_cmd,
    config_cmd,
    faults_cmd,
    grants_cmd,
    lab_cmd,
    policy_cmd,
    relay_cmd,
    screenshot_cmd,
    snapshot_cmd,
    stepup_cmd,
)

MODULES = (
    snapshot_cmd,
    screenshot_cmd,
    config_cmd,
    backends_cmd,
    grants_cmd,
    audit_cmd,
    stepup_cmd,
    lab_cmd,
    faults_cmd,
    policy_cmd,
    relay_cmd,
)
