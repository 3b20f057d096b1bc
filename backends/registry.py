"""Backend plugins: found through the `watchfloor.backends` entry-point group.

Listing names reads package metadata only and imports nothing. A plugin module is
imported when a pane is configured to use it; its heavy clients are imported later
still, when its factory builds a source.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from backends.clock import Clock, SystemClock

GROUP = "watchfloor.backends"


@dataclass
class BackendContext:
    """What a factory gets besides its options: where to keep data, time, shared state."""

    data_dir: Path
    clock: Clock = field(default_factory=SystemClock)
    interval_s: float = 1.0
    # False: a command that reads and exits (`watchfloor snapshot`): no poll comes again,
    # so nothing it says may promise one ("retrying in 30s")
    polled: bool = True
    actor: str = "unknown"
    # One dict per plugin name, so a plugin's sources can share one runtime.
    shared: dict[str, Any] = field(default_factory=dict)
    audit: Any = None  # the AuditSink, built before the sources that need it
    audit_expect_key: str = ""  # config audit.expect_key: the signing key's fingerprint
    stepup: Any = None  # the StepUpVerifier, built before the sources that need it


Factory = Callable[[BaseModel, BackendContext], Any]


@dataclass(frozen=True)
class BackendPlugin:
    """A backend: one factory per capability it provides, and its options' model.

    `audits_itself`: the capabilities whose sources run every mutating action (grant,
    revoke, rollback rehearsal, schedule or end a fault window, HALT ALL) through the one
    path themselves: validation, the policy check, step-up where a grant needs it, then
    `backends.actions.audited` (or `backends.fault_policy.removal_audited` to take faults
    out). The built-in backends declare theirs. Any other capability's source is wrapped
    by the core (backends/guarded.py), which runs that path around the plugin's action:
    leave it empty unless your adapter really does all of it (see backends/contracts.py).
    """

    name: str
    description: str
    factories: Mapping[str, Factory]  # capability -> factory
    options_model: type[BaseModel]
    audits_itself: Collection[str] = ()


class BackendError(Exception):
    """A backend could not be found or loaded; the message says which and why."""


@cache
def _entry_points() -> dict[str, EntryPoint]:
    """Scanning installed distributions costs ~15 ms; do it once per process."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return found


def available() -> list[str]:
    """Names of every installed backend, from metadata alone."""
    return sorted(_entry_points())


def entry_point(name: str) -> str:
    """Where backend `name` comes from ('my_package.watchfloor:plugin'), or "" if none."""
    ep = _entry_points().get(name)
    return ep.value if ep is not None else ""


def builtin(name: str) -> bool:
    """Whether backend `name` ships with watchfloor (its entry point is in this package)."""
    return entry_point(name).partition(":")[0].split(".")[0] in ("backends", "tui")


def load_plugin(name: str) -> BackendPlugin:
    eps = _entry_points()
    if name not in eps:
        names = ", ".join(sorted(eps)) or "none"
        raise BackendError(f"unknown backend {name!r}; available: {names}")
    try:
        plugin = eps[name].load()
    except Exception as exc:
        raise BackendError(
            f"backend {name!r} failed to import ({eps[name].value}): {type(exc).__name__}: {exc}"
        ) from exc
    where = f"backend {name!r} ({eps[name].value})"
    if not isinstance(plugin, BackendPlugin):
        raise BackendError(f"{where} is not a BackendPlugin but {type(plugin).__name__}")
    model = plugin.options_model
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise BackendError(f"{where}: its options_model is not a pydantic model class")
    if not isinstance(plugin.factories, Mapping) or not all(
        callable(f) for f in plugin.factories.values()
    ):
        raise BackendError(f"{where}: its factories are not a mapping of capability to callable")
    return plugin


def validate_options(plugin: BackendPlugin, raw: Mapping[str, Any]) -> BaseModel:
    """The plugin's options; an unknown key is refused whatever its model's `extra` (a
    model on plain BaseModel ignored `urll = "x"`, and the backend ran on its default)."""
    return plugin.options_model.model_validate(dict(raw), extra="forbid")
