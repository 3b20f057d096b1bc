"""The `local` backend: registered through the entry-point group like any third-party one.

Importing this module is cheap; a source's module is imported when its pane uses it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from pydantic import BaseModel

from backends.local.options import LocalOptions
from backends.registry import BackendContext, BackendPlugin, Factory

_CLASSES = {
    "access": ("backends.local.sources", "LocalAccess"),
    "latency": ("backends.local.sources", "LocalLatency"),
    "release": ("backends.local.sources", "LocalRelease"),
    "grants": ("backends.local.grants", "LocalGrants"),
    "faults": ("backends.local.faults", "LocalFaults"),
    "audit": ("backends.local.audit", "LocalAudit"),
}


def _factory(module: str, cls: str) -> Factory:
    def make(options: BaseModel, ctx: BackendContext) -> Any:
        from backends.local.runtime import runtime_for

        assert isinstance(options, LocalOptions)
        return getattr(import_module(module), cls)(runtime_for(options, ctx))

    return make


def _stepup(options: BaseModel, ctx: BackendContext) -> Any:
    """Step-up codes: TOTP with its secret in the data dir (needs no simulator)."""
    from backends.stepup_totp import TotpStepUp

    return TotpStepUp(ctx.data_dir, ctx.clock)


plugin = BackendPlugin(
    name="local",
    description="embedded default: SQLite store and a deterministic platform simulation",
    factories={
        **{cap: _factory(module, cls) for cap, (module, cls) in _CLASSES.items()},
        "stepup": _stepup,
    },
    options_model=LocalOptions,
    audits_itself=("grants", "release", "faults"),  # each runs backends.actions.audited
)
