"""What only the UI can check in a config, checked before anything runs (the dashboard and
`config check` give the same answer): the [keys] table (every id one of our binding ids,
and no remapped key taking one an app-wide binding has: `"app.timeline" = "q"` hid Quit),
and ui.theme (a typo was ignored without a word)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import _character_to_key

from backends.config import ConfigError, LoadedConfig


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ids_loaded() -> dict[str, Binding]:
    """Binding ids of every watchfloor widget, screen and app class imported so far."""
    out: dict[str, Binding] = {}
    for cls in _subclasses(DOMNode):
        if not cls.__module__.startswith("tui."):
            continue
        for b in cls.__dict__.get("BINDINGS", []):
            if isinstance(b, Binding) and b.id:
                out.setdefault(b.id, b)
    return out


def binding_ids() -> dict[str, Binding]:
    """Every binding id a [keys] table may remap: the app, panes and tables, and the
    dialogs (imported here: the dashboard imports them only when one opens)."""
    import tui.app  # the app and its panes
    import tui.screens

    for mod in pkgutil.iter_modules(tui.screens.__path__):
        importlib.import_module(f"tui.screens.{mod.name}")
    return _ids_loaded()


def _norm(key: str) -> str:
    key = key.strip()
    return _character_to_key(key) if len(key) == 1 else key


def check_keymap(loaded: LoadedConfig) -> None:
    """Raise ConfigError naming the key and the file (or variable) that set it."""
    keys = loaded.config.keys
    if not keys:
        return
    known = binding_ids()
    for bid in sorted(keys):
        if bid not in known:
            raise ConfigError(
                f"{loaded.where(('keys', bid))}: keys.{bid}: no such binding id; "
                f"known: {', '.join(sorted(known))}"
            )
    from tui.app import WatchfloorApp

    taken: dict[str, str] = {}  # app-wide key -> what has it, after the remapping
    for key, bindings in WatchfloorApp._merge_bindings().key_to_bindings.items():
        for b in bindings:
            if b.id not in keys:
                taken.setdefault(_norm(key), f"{b.id or b.action} ({b.description or b.action})")
    for bid in sorted(keys):
        for key in (k.strip() for k in keys[bid].split(",")):
            other = taken.get(_norm(key))
            if other is not None:
                raise ConfigError(
                    f"{loaded.where(('keys', bid))}: keys.{bid}: {key!r} is already the key "
                    f"of {other}; pick another, or remap that one too"
                )
            taken[_norm(key)] = f"{bid} ({known[bid].description})"


def check_theme(loaded: LoadedConfig) -> None:
    from textual.theme import BUILTIN_THEMES

    theme = loaded.config.ui.theme
    if theme and theme not in BUILTIN_THEMES:
        raise ConfigError(
            f"{loaded.where(('ui', 'theme'))}: ui.theme: no theme {theme!r}; "
            f"available: {', '.join(sorted(BUILTIN_THEMES))}"
        )
