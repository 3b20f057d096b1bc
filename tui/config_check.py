"""What only the UI can check in a config, checked before anything runs (the dashboard and
`config check` give the same answer), in every profile: the [keys] table (every id one of
our binding ids, every key one Textual reports, no character for a dialog with text
fields, and no remapped key taking one a binding that works at the same time has:
`"app.timeline" = "q"` hid Quit, "ctrl+p" the command palette), and ui.theme (a typo was
ignored without a word)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.keys import _character_to_key

from backends.config import LoadedConfig
from tui.key_names import key_problem, types_a_character
from tui.key_scopes import binding_ids, scopes


def _norm(key: str) -> str:
    key = key.strip()
    return _character_to_key(key) if len(key) == 1 else key


def _keys(spec: str) -> list[str]:
    return [k.strip() for k in spec.split(",") if k.strip()]


def clashes(keys: dict[str, str]) -> dict[tuple[str, str], str]:
    """(binding id, key) -> what else has that key where the binding works too, once `keys`
    is applied: a key no remapped binding may take (tui/key_scopes.py says which keys work
    together). Of two remapped ids given one key, the first by name keeps it."""
    found: dict[tuple[str, str], str] = {}
    for scope in scopes():
        taken: dict[str, str] = {}
        for b, what in scope.bindings:
            if b.id not in keys:
                for key in b.key.split(","):
                    taken.setdefault(_norm(key), what)
        here = {b.id: b for b, _ in scope.bindings if b.id in keys}
        for bid in sorted(here):
            for key in map(_norm, _keys(keys[bid])):
                other = taken.get(key)
                if other is not None and not other.startswith(f"{bid} "):
                    found.setdefault((bid, key), other)
                else:
                    taken[key] = f"{bid} ({here[bid].description}); pick another"
    return found


def typed_problems(keys: dict[str, str]) -> dict[tuple[str, str], str]:
    """(binding id, key) -> why not, for a character given to a dialog with text fields: its
    keys act before the field gets the key (`grant.cancel = "escape,z"` closed the grant
    form at the z of "liz@example.com")."""
    found: dict[tuple[str, str], str] = {}
    for scope in scopes():
        if not scope.typed:
            continue
        doing = {b.id: b.description or b.action for b, _ in scope.bindings}
        for bid in sorted(scope.own.intersection(keys)):
            for key in _keys(keys[bid]):
                if types_a_character(key):
                    found[(bid, _norm(key))] = (
                        f"{key!r} types a character, and {bid} is a key of {scope.where}, a"
                        " dialog with text fields: its keys act before the field gets them, so"
                        f" {key!r} typed into a field would run {doing[bid]!r} instead; pick a key"
                        " that types nothing (escape, ctrl+…, f1…)"
                    )
    return found


def keymap_problems(loaded: LoadedConfig) -> list[str]:
    """Each [keys] entry that is not one of our binding ids, not keys Textual reports, a
    character for a dialog with text fields, or a key of another binding that works at the
    same time, naming the key and the file (or variable)."""
    keys = loaded.config.keys
    if not keys:
        return []
    known = binding_ids()
    problems: list[str] = []
    clashing = clashes({bid: spec for bid, spec in keys.items() if bid in known})
    typing = typed_problems({bid: spec for bid, spec in keys.items() if bid in known})
    for bid in sorted(keys):
        where = f"{loaded.where(('keys', bid))}: keys.{bid}"
        if bid not in known:
            problems.append(f"{where}: no such binding id; known: {', '.join(sorted(known))}")
            continue
        if "" in (k.strip() for k in keys[bid].split(",")):
            problems.append(f"{where}: {keys[bid]!r} has an empty key (a comma too many?)")
        for key in _keys(keys[bid]):
            why = key_problem(key) or typing.get((bid, _norm(key)), "")
            other = clashing.get((bid, _norm(key)))
            if why:
                problems.append(f"{where}: {why}")
            elif other is not None:
                problems.append(f"{where}: {key!r} is already the key of {other}")
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
