"""What a config can get wrong that its schema cannot see, checked before anything runs,
for the active config and every profile it may switch to: each pane's backend is
installed and provides that pane, every [backends.X] section holds X's options (used by
a pane or not; a key its options model does not name is refused, whatever the model's
`extra`), and a data dir can be one. `config check` also loads every plugin the config
names: one that cannot be loaded is a problem there, and its panes' error elsewhere.

Which backends provide a capability is known from their plugin modules, which are light
(their clients are imported by the factories): listing names imports nothing, checking
imports the plugin modules of the backends named, and of every backend only to say which
ones provide a pane that a named backend does not.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from backends.config import LoadedConfig
from backends.config_explain import chosen_by, explain
from backends.contracts import CAPABILITIES
from backends.registry import (
    BackendError,
    BackendPlugin,
    available,
    load_plugin,
    validate_options,
)


def config_problems(views: Iterable[LoadedConfig], *, imports: bool = False) -> list[str]:
    """Every problem of these configs (LoadedConfig.views(): the active one and every
    profile), each once. `imports` (`config check`): a plugin the config uses that cannot
    be loaded is a problem too (elsewhere it is its panes' error, not a stop)."""
    found: list[str] = []
    for view in views:
        found += view.problems
        found += backend_problems(view)[1]
        found += data_dir_problems(view)
        if imports:
            found += import_problems(view)
    return list(dict.fromkeys(found))


def import_problems(loaded: LoadedConfig) -> list[str]:
    """Each pane (and [backends.X] section) whose installed backend's plugin cannot be
    loaded: its module or attribute missing, an ImportError inside, not a BackendPlugin.
    Only the backends the config names are imported."""
    cfg = loaded.config
    names = set(available())
    problems: list[str] = []
    named = [(("panes", cap), cfg.backend_for(cap)) for cap in CAPABILITIES]
    named += [(("backends", name), name) for name in cfg.backends]
    for loc, name in named:
        if name not in names:
            continue  # backend_problems says so
        try:
            load_plugin(name)
        except BackendError as exc:
            problems.append(f"{loaded.where(loc)}: {'.'.join(loc)}: {exc}")
    return problems


def _plugin(name: str) -> BackendPlugin | None:
    try:
        return load_plugin(name)
    except BackendError:
        return None  # reported on the pane at run time, not a config error


def providers(capability: str) -> list[str]:
    """The installed backends that provide `capability` (imports every plugin module)."""
    return [
        name
        for name in available()
        if (plugin := _plugin(name)) is not None and capability in plugin.factories
    ]


def backend_problems(loaded: LoadedConfig) -> tuple[dict[str, BaseModel], list[str]]:
    """The options of every backend the config names, by name, and what is wrong."""
    cfg = loaded.config
    names = available()
    problems: list[str] = []
    used: set[str] = set()
    for cap in CAPABILITIES:
        name = cfg.backend_for(cap)
        where = f"{loaded.where(('panes', cap))}: panes.{cap}"
        if name not in names:
            problems.append(
                f"{where}: unknown backend {name!r}; available: {', '.join(names) or 'none'}"
            )
            continue
        used.add(name)
        plugin = _plugin(name)
        if plugin is not None and cap not in plugin.factories:
            problems.append(
                f"{where}: backend {name!r} does not provide {cap}; "
                f"backends that do: {', '.join(providers(cap)) or 'none'}"
            )
    for name in cfg.backends:
        if name not in names:
            problems.append(
                f"{loaded.where(('backends', name))}: backends.{name}: no such backend "
                f"installed; available: {', '.join(names) or 'none'}"
            )
    options: dict[str, BaseModel] = {}
    for name in sorted(used | (set(cfg.backends) & set(names))):
        plugin = _plugin(name)
        if plugin is None:
            continue
        try:
            options[name] = validate_options(plugin, cfg.backends.get(name, {}))
        except ValidationError as exc:
            # a section no pane uses may leave out what only a user of it needs (the
            # profile that uses it may add that)
            errors = [e for e in exc.errors() if name in used or e["type"] != "missing"]
            problems += explain(errors, loaded, ("backends", name), chosen_by(loaded, name))
    return options, problems


def data_dir_problems(loaded: LoadedConfig) -> list[str]:
    """A data dir that is a file, or under one, or cannot be made (nothing is made here:
    the active config's is made when first used, a profile's when switched to)."""
    if loaded.config.data_dir is None:
        return []  # the user data dir
    path = loaded.config.data_dir.expanduser()
    why = _unusable(path)
    if not why:
        return []
    return [f"{loaded.where(('data_dir',))}: data_dir: {path} cannot be used: {why}"]


def _unusable(path: Path) -> str:
    if path.exists():
        if not path.is_dir():
            return "a file, not a directory"
        return "" if os.access(path, os.W_OK | os.X_OK) else "not writable"
    parent = next((p for p in path.absolute().parents if p.exists()), None)
    if parent is None:
        return ""
    if not parent.is_dir():
        return f"{parent} is a file, not a directory"
    return "" if os.access(parent, os.W_OK | os.X_OK) else f"cannot create it in {parent}"
