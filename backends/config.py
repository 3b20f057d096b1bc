"""Configuration: the embedded default, a user file, and WATCHFLOOR_* environment overrides.

Layers, later wins: config/default.toml < --config FILE (or
$XDG_CONFIG_HOME/watchfloor/config.toml) < environment. Every key remembers which layer
set it, so an error names the key and the file (or variable) it came from.

A config is checked whole: every named profile as well as the active config, and every
problem found is reported at once (a file with three typos took three runs).
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from backends.config_env import ENV_NOT_CONFIG, env_layer
from backends.config_explain import explain
from backends.config_models import PROFILE_KEYS, Config, PanesConfig, UiConfig

__all__ = [
    "ENV_NOT_CONFIG",
    "PROFILE_KEYS",
    "Config",
    "ConfigError",
    "LoadedConfig",
    "PanesConfig",
    "UiConfig",
    "check_backends",
    "gather",
    "load",
]

PACKAGED_DEFAULT = Path(__file__).with_name("default.toml")
SOURCE_DEFAULT = Path(__file__).resolve().parent.parent / "config" / "default.toml"


class ConfigError(Exception):
    """Bad configuration: one line per problem, each naming the key and where it came from."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(dict.fromkeys(problems))  # a base config's, once, not per profile
        super().__init__("\n".join(self.problems))


@dataclass
class LoadedConfig:
    config: Config
    files: list[Path]
    origin: dict[tuple[str, ...], str] = field(default_factory=dict)
    # what `gather` found wrong in the layers and in this config (which has the defaults
    # in place of the bad values)
    problems: list[str] = field(default_factory=list)
    # every named profile's config (the active one is this one)
    profiles: dict[str, LoadedConfig] = field(default_factory=dict, repr=False)

    def where(self, loc: tuple[str | int, ...]) -> str:
        """The layer that set the key at `loc`, or its nearest set parent."""
        key = tuple(str(p) for p in loc)
        while key:
            if key in self.origin:
                return self.origin[key]
            key = key[:-1]
        return str(self.files[0]) if self.files else "defaults"

    def views(self) -> list[LoadedConfig]:
        """The configs a run may use: this one, and every profile it may switch to."""
        return [self, *(v for _, v in sorted(self.profiles.items()) if v is not self)]


def default_file() -> Path:
    return SOURCE_DEFAULT if SOURCE_DEFAULT.exists() else PACKAGED_DEFAULT


def user_file(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "watchfloor" / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    """The file's TOML; a byte-order mark before it (an editor's "UTF-8 with BOM") is let
    be. Not UTF-8, not TOML, not there or not readable: ConfigError naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start : exc.end].hex(" ")
        raise ConfigError(
            f"{path}: not valid TOML: not UTF-8 (byte {bad} at line {line}, column {column});"
            " save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


Label = Callable[[tuple[str, ...]], str]


def _merge(
    into: dict[str, Any],
    layer: Mapping[str, Any],
    label: Label,
    origin: dict[tuple[str, ...], str],
    prefix: tuple[str, ...] = (),
) -> None:
    for key, value in layer.items():
        path = (*prefix, key)
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value, label, origin, path)
            continue
        into[key] = copy.deepcopy(dict(value)) if isinstance(value, Mapping) else value
        origin[path] = label(path)
        if isinstance(value, Mapping):
            _mark(value, label, origin, path)


def _mark(
    layer: Mapping[str, Any],
    label: Label,
    origin: dict[tuple[str, ...], str],
    prefix: tuple[str, ...],
) -> None:
    for key, value in layer.items():
        origin[(*prefix, key)] = label((*prefix, key))
        if isinstance(value, Mapping):
            _mark(value, label, origin, (*prefix, key))


def _constant(label: str) -> Label:
    return lambda _: label


def _with_profile(
    merged: dict[str, Any], origin: dict[tuple[str, ...], str], name: str
) -> tuple[dict[str, Any], dict[tuple[str, ...], str], list[str]]:
    """The merged config with profile `name` laid over it (origins say which profile), and
    what is wrong with the profile's own table (what it may not set is left out)."""
    body = merged["profiles"][name]
    src = origin.get(("profiles", name), "config")
    if not isinstance(body, dict):
        body, bad = {}, ["(not a table)"]
    else:
        bad = sorted(set(body) - PROFILE_KEYS)
        body = {k: v for k, v in body.items() if k in PROFILE_KEYS}
    problems = []
    if bad:
        problems.append(
            f"{src}: profiles.{name}: cannot set {', '.join(bad)}; "
            f"a profile may set {', '.join(sorted(PROFILE_KEYS))}"
        )
    out = copy.deepcopy(merged)
    out_origin = dict(origin)

    def label(path: tuple[str, ...]) -> str:
        return f"{origin.get(('profiles', name, *path), src)} (profile {name})"

    _merge(out, body, label, out_origin)
    return out, out_origin, problems


def _validate(merged: dict[str, Any], loaded: LoadedConfig) -> tuple[Config, list[str]]:
    """The config, and every problem pydantic finds. Each bad value is left out and the
    rest validated again, so the checks that follow run on a config with the defaults
    in their place (and can report their own problems in the same run)."""
    data = copy.deepcopy(merged)
    problems: list[str] = []
    for _ in range(5):
        try:
            return Config.model_validate(data), problems
        except ValidationError as exc:
            problems += explain(exc.errors(), loaded)
            for e in exc.errors():
                _drop(data, e["loc"])
    return Config(), problems


def _drop(data: dict[str, Any], loc: Iterable[str | int]) -> None:
    """Remove the deepest key of `loc` that `data` holds."""
    node: Any = data
    parent: dict[str, Any] | None = None
    key: Any = None
    for part in loc:
        if not isinstance(node, dict) or part not in node:
            break
        parent, key, node = node, part, node[part]
    if parent is not None:
        del parent[key]


def gather(
    path: Path | None = None, env: Mapping[str, str] | None = None, profile: str | None = None
) -> LoadedConfig:
    """Read and validate the layered config and every profile in it, keeping the problems
    found (in each view's `.problems`: the layers' own, and that view's) rather than
    raising at the first."""
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
    problems: list[str] = []
    for f in files:
        try:
            _merge(merged, _read_toml(f), _constant(str(f)), origin)
        except ConfigError as exc:
            problems += exc.problems
    env_data, env_origin, env_problems = env_layer(env)
    problems += env_problems
    if env_data:  # a file's value a variable hides now is there when the variable is not
        problems += _validate(merged, LoadedConfig(Config(), files, dict(origin)))[1]
    _merge(merged, env_data, lambda p: env_origin.get(p, "environment"), origin)

    if profile is not None:
        merged["profile"] = profile
        origin[("profile",)] = "--profile"
    views: dict[str, LoadedConfig] = {}
    if isinstance(merged.get("profiles"), dict):
        for name in sorted(merged["profiles"]):
            candidate, cand_origin, bad = _with_profile(merged, origin, name)
            views[name] = view = LoadedConfig(Config(), files, cand_origin)
            view.config, invalid = _validate(candidate, view)
            view.problems = bad + invalid
    active = merged.get("profile")
    loaded = views.get(active) if isinstance(active, str) else None
    if loaded is None:
        loaded = LoadedConfig(Config(), files, origin)
        loaded.config, loaded.problems = _validate(merged, loaded)
        if active:
            where = origin.get(("profile",), "the command line")
            known = ", ".join(views) or "none"
            problems.append(f"{where}: profile {active!r} is not defined; defined: {known}")
    loaded.profiles = views
    for view in loaded.views():
        view.problems = list(dict.fromkeys(problems + view.problems))
    return loaded


def load(
    path: Path | None = None, env: Mapping[str, str] | None = None, profile: str | None = None
) -> LoadedConfig:
    """Load and validate the layered configuration, every profile in it too. Raises
    ConfigError with every problem found."""
    loaded = gather(path, env, profile)
    problems = [p for view in loaded.views() for p in view.problems]
    if problems:
        raise ConfigError(*problems)
    return loaded


def check_backends(loaded: LoadedConfig) -> dict[str, BaseModel]:
    """Every pane's backend exists and provides that pane, and every [backends.X] section
    holds valid options for X. Returns options by name; raises ConfigError."""
    from backends.config_checks import backend_problems

    options, problems = backend_problems(loaded)
    if problems:
        raise ConfigError(*problems)
    return options
