"""Configuration errors in the user's words: each names the key and the layer (file or
environment variable) that set it, or for a required key nobody set, what chose the backend."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pydantic_core import ErrorDetails

from backends.contracts import CAPABILITIES

if TYPE_CHECKING:
    from backends.config import LoadedConfig

ENV_PREFIX = "WATCHFLOOR_"


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
            msg = e["msg"].removeprefix("Value error, ")  # our validators' own words
            lines.append(f"{where}: {key}: {msg} (got {e.get('input')!r})")
    return lines


def chosen_by(loaded: LoadedConfig, backend: str) -> str:
    """Where the panes that use `backend` were set, e.g. "environment variable
    WATCHFLOOR_PANES__RELEASE (panes.release = 'github')"."""
    cfg = loaded.config
    return "; ".join(
        f"{loaded.where(('panes', cap))} (panes.{cap} = {backend!r})"
        for cap in CAPABILITIES
        if cfg.backend_for(cap) == backend
    )
