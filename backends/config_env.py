"""The environment layer of the config: WATCHFLOOR_SECTION__KEY=value.

A list or table option's value is read as JSON when it is an array or an object, so it
can be set from a variable: WATCHFLOOR_BACKENDS__PROMETHEUS__ROUTES='["GET /search"]' (it
was always the string, "Input should be a valid tuple"). Any other option's value stays
the string it is, JSON or not: WATCHFLOOR_UI__ACTOR='["dave"]' is that actor (it was read
as a list). Which options take a list or a table: backends.config_types.

Every key it sets, and every table on the way to it, remembers the variable (or
variables) that set it, so an error about an unknown section names the variable too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from backends.config_explain import ENV_PREFIX
from backends.config_types import takes_list_or_table

ENV_NOT_CONFIG = {"WATCHFLOOR_CONFIG"}  # read by the CLI, not a config key


def env_layer(
    env: Mapping[str, str],
) -> tuple[dict[str, Any], dict[tuple[str, ...], str], list[str]]:
    """The variables' values as nested tables, where each path came from, and problems."""
    data: dict[str, Any] = {}
    setters: dict[tuple[str, ...], list[str]] = {}
    problems: list[str] = []
    for var, value in sorted(env.items()):
        if not var.startswith(ENV_PREFIX) or var in ENV_NOT_CONFIG:
            continue
        path = config_path(var)
        if not path:
            continue
        node = data
        for i, part in enumerate(path[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                other = ", ".join(setters.get(path[: i + 1], ()))
                problems.append(
                    f"environment variable {var}: conflicts with {other}, which sets "
                    f"{'.'.join(path[: i + 1])} to a value, not a table"
                )
                break
        else:
            node[path[-1]] = _value(value, path)
            for i in range(1, len(path) + 1):
                setters.setdefault(path[:i], []).append(var)
    origin = {
        path: f"environment variable{'s' if len(names) > 1 else ''} {', '.join(names)}"
        for path, names in setters.items()
    }
    return data, origin, problems


def _value(text: str, path: tuple[str, ...]) -> Any:
    """For a list or table option, a JSON array or object as a list or dict; anything else
    the string it is (PromQL's `up{job="x"}` too: not JSON). The option's type is looked
    up only for a value that is JSON (it may import the backend's plugin)."""
    if text.lstrip()[:1] not in ("[", "{"):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, list | dict) and takes_list_or_table(path):
        return value
    return text


def config_path(var: str) -> tuple[str, ...]:
    """The config key a variable sets: WATCHFLOOR_UI__REFRESH_S is ui.refresh_s."""
    path = tuple(p.lower() for p in var[len(ENV_PREFIX) :].split("__") if p)
    return _binding_id(_backend_names(path))


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


def _binding_id(path: tuple[str, ...]) -> tuple[str, ...]:
    """Nor a dot: WATCHFLOOR_KEYS__GRANT_DETAILS__REVOKE is keys."grant-details.revoke"
    (an id's hyphens are in its first part, "grant-details"; its last part, the action,
    may hold an underscore: access.key_denials). In a profile too."""
    for at in (0, 2):
        if len(path) > at + 2 and path[at] == "keys" and (at == 0 or path[0] == "profiles"):
            head, *rest = path[at + 1 :]
            parts = [p.replace("_", "-") for p in (head, *rest[:-1])]
            return (*path[: at + 1], ".".join((*parts, rest[-1])))
    return path
