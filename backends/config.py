"""Configuration: the embedded default, a user file, and WATCHFLOOR_* environment overrides.

Layers, later wins: config/default.toml < --config FILE (or
$XDG_CONFIG_HOME/watchfloor/config.toml) < environment. Every key remembers which layer
set it, so an error names the key and the file (or variable) it came from.
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backends.config_explain import ENV_PREFIX, chosen_by, explain
from backends.contracts import CAPABILITIES

ENV_NOT_CONFIG = {"WATCHFLOOR_CONFIG"}  # read by the CLI, not a config key
PACKAGED_DEFAULT = Path(__file__).with_name("default.toml")
SOURCE_DEFAULT = Path(__file__).resolve().parent.parent / "config" / "default.toml"


class ConfigError(Exception):
    """Bad configuration. The message names the key and where it came from."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UiConfig(_Strict):
    # polled sources are asked every refresh_s (k9s's default too); the clock, countdowns
    # and data ages still move every second
    refresh_s: float = Field(default=2.0, gt=0, le=60)
    theme: str = "textual-dark"
    actor: str = ""  # who you are in the audit; empty -> $USER
    read_only: bool = False  # refuse every mutating action (--read-only sets it too)


class PanesConfig(_Strict):
    """One backend name per pane (and one for the audit sink)."""

    access: str = "local"
    grants: str = "local"
    release: str = "local"
    latency: str = "local"
    faults: str = "local"
    audit: str = "local"
    stepup: str = "local"  # step-up authentication for grants (local: TOTP)


class Config(_Strict):
    environment: str = "local"
    data_dir: Path | None = None
    ui: UiConfig = UiConfig()
    panes: PanesConfig = PanesConfig()
    backends: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Named profiles (dev, stage, prod): each overrides environment/panes/backends/ui.
    profile: str = ""  # the active one; --profile NAME or WATCHFLOOR_PROFILE
    profiles: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Key bindings by binding id, e.g. "app.quit" = "ctrl+q" (see `?` for the ids).
    keys: dict[str, str] = Field(default_factory=dict)

    def backend_for(self, capability: str) -> str:
        name: str = getattr(self.panes, capability)
        return name


@dataclass
class LoadedConfig:
    config: Config
    files: list[Path]
    origin: dict[tuple[str, ...], str] = field(default_factory=dict)

    def where(self, loc: tuple[str | int, ...]) -> str:
        """The layer that set the key at `loc`, or its nearest set parent."""
        key = tuple(str(p) for p in loc)
        while key:
            if key in self.origin:
                return self.origin[key]
            key = key[:-1]
        return str(self.files[0]) if self.files else "defaults"


def default_file() -> Path:
    return SOURCE_DEFAULT if SOURCE_DEFAULT.exists() else PACKAGED_DEFAULT


def user_file(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "watchfloor" / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _env_layer(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[tuple[str, ...], str]]:
    data: dict[str, Any] = {}
    origin: dict[tuple[str, ...], str] = {}
    for var, value in sorted(env.items()):
        if not var.startswith(ENV_PREFIX) or var in ENV_NOT_CONFIG:
            continue
        path = _backend_names(tuple(p.lower() for p in var[len(ENV_PREFIX) :].split("__") if p))
        if not path:
            continue
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"environment variable {var}: conflicts with another variable")
        node[path[-1]] = value
        origin[path] = f"environment variable {var}"
    return data, origin


def _backend_names(path: tuple[str, ...]) -> tuple[str, ...]:
    """A variable name cannot hold a hyphen: WATCHFLOOR_BACKENDS__PROMETHEUS_ACCESS__URL
    means backends.prometheus-access.url when that backend is installed."""
    out = list(path)
    for i in range(1, len(out)):
        if out[i - 1] == "backends" and "_" in out[i]:
            from backends.registry import available

            hyphenated = out[i].replace("_", "-")
            names = available()
            if out[i] not in names and hyphenated in names:
                out[i] = hyphenated
    return tuple(out)


def _merge(
    into: dict[str, Any],
    layer: Mapping[str, Any],
    label: str,
    origin: dict[tuple[str, ...], str],
    prefix: tuple[str, ...] = (),
) -> None:
    for key, value in layer.items():
        path = (*prefix, key)
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value, label, origin, path)
            continue
        into[key] = dict(value) if isinstance(value, Mapping) else value
        origin[path] = label
        if isinstance(value, Mapping):
            _mark(value, label, origin, path)


def _mark(
    layer: Mapping[str, Any],
    label: str,
    origin: dict[tuple[str, ...], str],
    prefix: tuple[str, ...],
) -> None:
    for key, value in layer.items():
        origin[(*prefix, key)] = label
        if isinstance(value, Mapping):
            _mark(value, label, origin, (*prefix, key))


PROFILE_KEYS = {"environment", "panes", "backends", "ui", "keys", "data_dir"}


def _with_profile(
    merged: dict[str, Any], origin: dict[tuple[str, ...], str], name: str
) -> tuple[dict[str, Any], dict[tuple[str, ...], str]]:
    """The merged config with profile `name` laid over it (origins say which profile)."""
    profiles = merged.get("profiles") or {}
    if not isinstance(profiles, dict) or name not in profiles:
        known = ", ".join(sorted(profiles)) if isinstance(profiles, dict) else ""
        where = origin.get(("profile",), "the command line")
        raise ConfigError(f"{where}: profile {name!r} is not defined; defined: {known or 'none'}")
    body = profiles[name]
    src = origin.get(("profiles", name), "config")
    bad = sorted(set(body) - PROFILE_KEYS) if isinstance(body, dict) else ["(not a table)"]
    if bad:
        raise ConfigError(
            f"{src}: profiles.{name}: cannot set {', '.join(bad)}; "
            f"a profile may set {', '.join(sorted(PROFILE_KEYS))}"
        )
    out = copy.deepcopy(merged)
    out_origin = dict(origin)
    _merge(out, body, f"{src} (profile {name})", out_origin)
    return out, out_origin


def load(
    path: Path | None = None, env: Mapping[str, str] | None = None, profile: str | None = None
) -> LoadedConfig:
    """Load and validate the layered configuration. Raises ConfigError."""
    env = os.environ if env is None else env
    files = [default_file()]
    if path is None and env.get("WATCHFLOOR_CONFIG"):
        path = Path(env["WATCHFLOOR_CONFIG"])
    if path is not None:
        files.append(path)
    elif user_file(env).exists():
        files.append(user_file(env))

    merged: dict[str, Any] = {}
    origin: dict[tuple[str, ...], str] = {}
    for f in files:
        _merge(merged, _read_toml(f), str(f), origin)
    env_data, env_origin = _env_layer(env)
    _merge(merged, env_data, "environment", origin)
    origin.update(env_origin)

    if profile is not None:
        merged["profile"] = profile
        origin[("profile",)] = "--profile"
    # Every profile must be valid, not only the active one: switching must never fail.
    for name in sorted(merged.get("profiles") or {}):
        candidate, cand_origin = _with_profile(merged, origin, name)
        _validate(candidate, LoadedConfig(config=Config(), files=files, origin=cand_origin))
    if merged.get("profile"):
        merged, origin = _with_profile(merged, origin, str(merged["profile"]))
    loaded = LoadedConfig(config=Config(), files=files, origin=origin)
    loaded.config = _validate(merged, loaded)
    return loaded


def _validate(merged: dict[str, Any], loaded: LoadedConfig) -> Config:
    try:
        return Config.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(explain(exc, loaded)) from None


def check_backends(loaded: LoadedConfig) -> dict[str, BaseModel]:
    """Every pane's backend exists and its options are valid. Returns options by name."""
    from backends.registry import BackendError, available, load_plugin

    cfg = loaded.config
    names = available()
    problems: list[str] = []
    options: dict[str, BaseModel] = {}
    for cap in CAPABILITIES:
        name = cfg.backend_for(cap)
        if name not in names:
            problems.append(
                f"{loaded.where(('panes', cap))}: panes.{cap}: unknown backend {name!r}; "
                f"available: {', '.join(names) or 'none'}"
            )
    for name in cfg.backends:
        if name not in names:
            problems.append(
                f"{loaded.where(('backends', name))}: backends.{name}: no such backend "
                f"installed; available: {', '.join(names) or 'none'}"
            )
    used = sorted({cfg.backend_for(c) for c in CAPABILITIES} & set(names))
    for name in used:
        try:
            plugin = load_plugin(name)
        except BackendError:
            continue  # reported on the pane at run time, not a config error
        try:
            options[name] = plugin.options_model.model_validate(cfg.backends.get(name, {}))
        except ValidationError as exc:
            problems.append(explain(exc, loaded, ("backends", name), chosen_by(loaded, name)))
    if problems:
        raise ConfigError("\n".join(problems))
    return options
