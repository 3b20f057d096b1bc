"""Which config keys take a list or a table: those a WATCHFLOOR_* variable sets as JSON.

A key's type is read from the schema (backends.config_models), a backend's options from
its plugin's options model ([backends.NAME]), and a profile's keys as the config's own
([profiles.NAME] sets what the config sets). A key of no known type (a backend that is
not installed, a key that does not exist) is not a list or a table: its value stays the
string, and validation names the key.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence, Set
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from backends.config_models import Config

_CONTAINERS = (Mapping, Sequence, Set)


def takes_list_or_table(path: Sequence[str]) -> bool:
    """Whether the key at `path` (as config_env.config_path gives it) is a list or a table."""
    if len(path) >= 2 and path[0] == "profiles":
        return len(path) == 2 or takes_list_or_table(path[2:])  # a profile is a table
    if len(path) >= 2 and path[0] == "backends":
        options = _options_model(path[1])
        return len(path) == 2 or (options is not None and _is_container(_at(options, path[2:])))
    return _is_container(_at(Config, path))


def _options_model(name: str) -> type[BaseModel] | None:
    from backends.registry import BackendError, load_plugin

    try:
        return load_plugin(name).options_model
    except BackendError:
        return None


def _at(kind: Any, path: Sequence[str]) -> Any:
    """The type at `path` under `kind`, None when there is none."""
    for part in path:
        kind = _unwrapped(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(part)
            if field is None:
                return None
            kind = field.annotation
        elif _origin(kind) is not None and issubclass(_origin(kind), Mapping):
            args = get_args(kind)
            kind = args[1] if len(args) == 2 else None
        else:
            return None
    return kind


def _unwrapped(kind: Any) -> Any:
    """`Annotated[X, ...]` as X, `X | None` as X."""
    while get_origin(kind) is Annotated:
        kind = get_args(kind)[0]
    if get_origin(kind) in (Union, types.UnionType):
        arms = [a for a in get_args(kind) if a is not type(None)]
        if len(arms) == 1:
            return _unwrapped(arms[0])
    return kind


def _origin(kind: Any) -> Any:
    origin = get_origin(kind)
    return origin if isinstance(origin, type) else None


def _is_container(kind: Any) -> bool:
    """A list, tuple, set, table or model; a union only if every arm is one."""
    kind = _unwrapped(kind)
    if get_origin(kind) in (Union, types.UnionType):
        return all(_is_container(a) for a in get_args(kind) if a is not type(None))
    if isinstance(kind, type):
        if issubclass(kind, BaseModel):
            return True
        if issubclass(kind, str | bytes | bytearray):
            return False
        return issubclass(kind, _CONTAINERS)
    origin = _origin(kind)
    if origin is None or issubclass(origin, str | bytes | bytearray):
        return False
    return issubclass(origin, _CONTAINERS)
