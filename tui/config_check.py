"""What only the UI can check in a config, checked before anything runs (the dashboard and
`config check` give the same answer), in every profile: the [keys] table (every id one of
our binding ids, every key one Textual reports, and no remapped key taking one an
app-wide binding has: `"app.timeline" = "q"` hid Quit, "ctrl+p" the command palette), and
ui.theme (a typo was ignored without a word)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import _character_to_key

from backends.config import LoadedConfig
from tui.key_names import key_problem


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


# what Textual's own bindings (they have no id) do, where their description does not say
TEXTUAL_WORDS = {"command_palette": "command palette", "help_quit": "how-to-quit reminder"}


def app_wide_keys(keys: dict[str, str]) -> dict[str, str]:
    """Every key an app-wide binding has, once `keys` is applied: ours (but those `keys`
    remaps), and Textual's own: ctrl+q, ctrl+c, the command palette's ctrl+p, tab and
    shift+tab on every screen. Values say what has the key."""
    from textual.screen import Screen

    from tui.app import WatchfloorApp

    bindings = [b for bs in WatchfloorApp._merge_bindings().key_to_bindings.values() for b in bs]
    bindings += [b for bs in Screen._merge_bindings().key_to_bindings.values() for b in bs]
    if WatchfloorApp.ENABLE_COMMAND_PALETTE:
        bindings.append(Binding(WatchfloorApp.COMMAND_PALETTE_BINDING, "command_palette"))
    taken: dict[str, str] = {}
    for b in bindings:
        if b.id in keys:
            continue
        if b.id:
            what = f"{b.id} ({b.description or b.action}); pick another, or remap that one too"
        else:
            words = TEXTUAL_WORDS.get(b.action, b.description or b.action)
            what = f"Textual's {words}; pick another"
        for key in b.key.split(","):
            taken.setdefault(_norm(key), what)
    return taken


def keymap_problems(loaded: LoadedConfig) -> list[str]:
    """Each [keys] entry that is not one of our binding ids, not keys Textual reports, or
    takes a key an app-wide binding has, naming the key and the file (or variable)."""
    keys = loaded.config.keys
    if not keys:
        return []
    known = binding_ids()
    problems: list[str] = []
    taken = app_wide_keys(keys)
    for bid in sorted(keys):
        where = f"{loaded.where(('keys', bid))}: keys.{bid}"
        if bid not in known:
            problems.append(f"{where}: no such binding id; known: {', '.join(sorted(known))}")
            continue
        mine = [k.strip() for k in keys[bid].split(",")]
        if "" in mine:
            problems.append(f"{where}: {keys[bid]!r} has an empty key (a comma too many?)")
        for key in filter(None, mine):
            why = key_problem(key)
            other = taken.get(_norm(key))
            if why:
                problems.append(f"{where}: {why}")
            elif other is not None and not other.startswith(f"{bid} "):
                problems.append(f"{where}: {key!r} is already the key of {other}")
            else:
                taken[_norm(key)] = f"{bid} ({known[bid].description}); pick another"
    return problems


def theme_problems(loaded: LoadedConfig) -> list[str]:
    from textual.theme import BUILTIN_THEMES

    theme = loaded.config.ui.theme
    if theme and theme not in BUILTIN_THEMES:
        return [
            f"{loaded.where(('ui', 'theme'))}: ui.theme: no theme {theme!r}; "
            f"available: {', '.join(sorted(BUILTIN_THEMES))}"
        ]
    return []


def ui_problems(views: Iterable[LoadedConfig]) -> list[str]:
    """What the dashboard would refuse in these configs (LoadedConfig.views(): the active
    one and every profile it may switch to)."""
    return [p for view in views for p in (*keymap_problems(view), *theme_problems(view))]
