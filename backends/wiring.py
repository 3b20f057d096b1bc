"""Config -> one source per pane, through the plugin registry.

A plugin that fails to import or to build does not stop the others: its pane gets a
source that reports the error as its health, and every action on it is refused. A
plugin's source with actions is wrapped so that they are checked and audited
(backends/guarded.py), unless the plugin declares that it does that itself.
"""

from __future__ import annotations

import asyncio
import getpass
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backends.clock import Clock, SystemClock
from backends.config import LoadedConfig, check_backends
from backends.contracts import PANES, ActionRefused
from backends.guarded import wrap
from backends.models import (
    AccessSnapshot,
    FaultsSnapshot,
    GrantsSnapshot,
    HealthState,
    LatencySnapshot,
    ReleaseSnapshot,
    Snapshot,
    SourceHealth,
)
from backends.registry import BackendContext, BackendError, builtin, load_plugin

SNAPSHOT_TYPES: dict[str, type[Snapshot]] = {
    "access": AccessSnapshot,
    "grants": GrantsSnapshot,
    "release": ReleaseSnapshot,
    "latency": LatencySnapshot,
    "faults": FaultsSnapshot,
}


def data_dir_for(loaded: LoadedConfig) -> Path:
    """The data dir, absolute: a relative one set in a config file is taken from that
    file's directory (it followed the current directory: run from elsewhere, a command
    used another audit trail and step-up secret), one set in a variable from here."""
    if loaded.config.data_dir is not None:
        data_dir = loaded.config.data_dir.expanduser()
        if data_dir.is_absolute():
            return data_dir
        where = loaded.origin.get(("data_dir",), "")
        files = {str(f) for f in loaded.files}
        base = Path(where).parent if where in files else Path.cwd()
        return Path(os.path.abspath(base / data_dir))  # no "conf/../": as it is shown
    from platformdirs import user_data_dir

    return Path(user_data_dir("watchfloor", appauthor=False))


def actor_name(loaded: LoadedConfig) -> str:
    if loaded.config.ui.actor:
        return loaded.config.ui.actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


class BrokenSource:
    """Stands in for a source whose plugin could not be loaded or built."""

    def __init__(self, capability: str, name: str, error: str, clock: Clock) -> None:
        self.capability = capability
        self.name = name
        self.error = error
        self.clock = clock

    async def watch(self) -> AsyncIterator[Snapshot]:
        cls = SNAPSHOT_TYPES[self.capability]
        health = SourceHealth(state=HealthState.ERROR, last_error=self.error)
        yield cls(observed_at=self.clock.now(), health=health, source=self.name)
        await asyncio.Event().wait()  # nothing more will ever come

    def __getattr__(self, action: str) -> Any:
        async def refuse(*_: Any, **__: Any) -> Any:
            raise ActionRefused(
                f"{self.capability} backend {self.name!r} is unavailable: {self.error}"
            )

        return refuse

    async def aclose(self) -> None:
        return None


@dataclass
class Sources:
    by_capability: dict[str, Any]
    ctx: BackendContext
    environment: str
    errors: dict[str, str] = field(default_factory=dict)
    # the config's ui.read_only (a prod profile's, say): whoever runs these sources refuses
    # every mutating action while it holds them
    read_only: bool = False

    def __getitem__(self, capability: str) -> Any:
        return self.by_capability[capability]

    @property
    def simulated_panes(self) -> tuple[str, ...]:
        """The panes fed by the local simulation. The local audit trail and step-up codes
        are real (SQLite, TOTP) and do not count: a prod setup keeps them local."""
        return tuple(
            cap for cap in PANES if getattr(self.by_capability.get(cap), "name", "") == "local"
        )

    @property
    def local_simulation(self) -> bool:
        """Whether any pane shows simulated data."""
        return bool(self.simulated_panes)

    async def aclose(self) -> None:
        for src in self.by_capability.values():
            try:
                await src.aclose()
            except Exception:  # closing is best effort; one failure must not hide others
                continue


def checked(source: Any, expected: type[Snapshot], backend: str) -> Any:
    """A third-party plugin's source, its reads held to the contract: what it yields is
    checked, and one that breaks it is its pane's error (backends/plugin_guard.py)."""
    from backends.plugin_guard import Checked  # only when a plugin needs it

    return Checked(source, expected, backend)


def build_sources(
    loaded: LoadedConfig, clock: Clock | None = None, *, polled: bool = True
) -> Sources:
    """Raises ConfigError for a bad config; a broken plugin only breaks its own panes.
    `polled` False: for a command that reads and exits (BackendContext.polled)."""
    options = check_backends(loaded)
    cfg = loaded.config
    ctx = BackendContext(
        data_dir=data_dir_for(loaded),
        clock=clock or SystemClock(),
        interval_s=cfg.ui.refresh_s,
        actor=actor_name(loaded),
        audit_expect_key=cfg.audit.expect_key,
        polled=polled,
    )
    built: dict[str, Any] = {}
    errors: dict[str, str] = {}
    # The audit sink first: sources that mutate need it.
    for cap in ("audit", "stepup", "access", "grants", "release", "latency", "faults"):
        name = cfg.backend_for(cap)
        try:
            plugin = load_plugin(name)
            factory = plugin.factories.get(cap)
            if factory is None:
                raise BackendError(f"backend {name!r} does not provide {cap}")
            source = factory(options[name], ctx)
            if cap in SNAPSHOT_TYPES and not builtin(name):
                source = checked(source, SNAPSHOT_TYPES[cap], name)
            # its actions through the audited path, unless the plugin runs it itself
            built[cap] = wrap(cap, plugin, source, options[name], ctx)
        except Exception as exc:
            errors[cap] = (
                str(exc)
                if isinstance(exc, BackendError)
                else (f"backend {name!r} failed to start: {type(exc).__name__}: {exc}")
            )
            built[cap] = BrokenSource(cap, name, errors[cap], ctx.clock)
        if cap == "audit":
            ctx.audit = None if cap in errors else built[cap]
        if cap == "stepup":
            ctx.stepup = None if cap in errors else built[cap]
    return Sources(
        by_capability=built,
        ctx=ctx,
        environment=cfg.environment,
        errors=errors,
        read_only=cfg.ui.read_only,
    )
