"""Configuration errors in the user's words: each names the key and the layer (file or
environment variable) that set it, or for a required key nobody set, what chose the backend."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic_core import ErrorDetails

from backends.contracts import CAPABILITIES

if TYPE_CHECKING:
    from backends.config import LoadedConfig

ENV_PREFIX = "WATCHFLOOR_"

_LISTS = {"tuple_type", "list_type", "set_type", "frozen_set_type"}
# what a table holds, where a bare "a table" would leave the user guessing: in a file, and
# in variables
_TABLES = {
    "panes": (
        "a table of pane = backend",
        '[panes] latency = "prometheus"',
        'WATCHFLOOR_PANES__LATENCY=prometheus, or as JSON: \'{"latency": "prometheus"}\'',
    ),
    "ui": ("a table of ui settings", "[ui] refresh_s = 2", "WATCHFLOOR_UI__REFRESH_S=2"),
    "audit": (
        "a table of audit settings",
        '[audit] expect_key = "sha256:0123456789abcdef"',
        "WATCHFLOOR_AUDIT__EXPECT_KEY=sha256:0123456789abcdef",
    ),
    "profiles": (
        "a table of named profiles",
        '[profiles.prod] environment = "prod"',
        "WATCHFLOOR_PROFILES__PROD__ENVIRONMENT=prod",
    ),
    "backends": (
        "a table of backend = its options",
        "[backends.local] seed = 7",
        "WATCHFLOOR_BACKENDS__LOCAL__SEED=7",
    ),
    "keys": (
        "a table of binding id = key",
        '[keys] "app.timeline" = "T"',
        "WATCHFLOOR_KEYS__APP__TIMELINE=T",
    ),
}


def explain(
    errors: Iterable[ErrorDetails],
    loaded: LoadedConfig,
    prefix: tuple[str, ...] = (),
    chosen_by: str = "",
) -> list[str]:
    """One line per error (of a pydantic ValidationError), naming the layer that set the
    key. A required key no layer set is blamed on whatever chose the backend
    (`chosen_by`), not on the file that happens to hold the nearest parent table."""
    lines = []
    for e in errors:
        loc = (*prefix, *(str(p) for p in e["loc"]))
        key = ".".join(loc)
        if e["type"] == "missing" and chosen_by:
            var = ENV_PREFIX + "__".join(p.upper().replace("-", "_") for p in loc)
            lines.append(
                f"{chosen_by}: {key} is required: set it under [{'.'.join(loc[:-1])}] in your "
                f"config file, or as {var}"
            )
            continue
        where = loaded.where(loc)
        if e["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key {key!r}")
        else:
            msg = _expected(e["type"], loc, e.get("input"), where) or e["msg"]
            msg = msg.removeprefix("Value error, ")  # our validators' own words
            lines.append(f"{where}: {key}: {msg} (got {e.get('input')!r})")
    return lines


def _expected(kind: str, loc: tuple[str, ...], value: Any, where: str) -> str:
    """A list or table expected, in the words of the file or variable it is written in
    (pydantic said "a valid tuple", or "instance of PanesConfig"); "" for other errors."""
    in_env = where.startswith("environment variable")
    name = loc[-1]
    if kind in _LISTS:
        example = json.dumps([value] if isinstance(value, str) else ["a", "b"])
        how = f"e.g. '{example}' (JSON)" if in_env else f"e.g. {name} = {example}"
        return f"should be a list, {how}"
    if kind in ("dict_type", "model_type"):
        what, in_file, in_vars = _TABLES.get(
            ".".join(loc),
            ("a table", f'{name} = {{ key = "value" }}', '\'{"key": "value"}\' (JSON)'),
        )
        return f"should be {what}, e.g. {in_vars if in_env else in_file}"
    return ""


def chosen_by(loaded: LoadedConfig, backend: str) -> str:
    """Where the panes that use `backend` were set, e.g. "environment variable
    WATCHFLOOR_PANES__RELEASE (panes.release = 'github')"."""
    cfg = loaded.config
    return "; ".join(
        f"{loaded.where(('panes', cap))} (panes.{cap} = {backend!r})"
        for cap in CAPABILITIES
        if cfg.backend_for(cap) == backend
    )
