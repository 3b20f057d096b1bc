"""Whether Textual can ever report a key by this name: a [keys] binding to a name it never
reports ("notakey!!", "shift+ctrl+x": Textual says ctrl+shift+x) did nothing, and the
binding's own key was gone as well."""

from __future__ import annotations

from functools import cache

from textual.keys import Keys, _character_to_key, key_to_character

# in the order Textual puts them in a key's name (it sorts them): ctrl+shift+x
MODIFIERS = ("alt", "ctrl", "hyper", "meta", "shift", "super")


@cache
def _named() -> frozenset[str]:
    names = {k.value.rpartition("+")[2] for k in Keys} | {"newline"}
    names |= {_character_to_key(chr(c)) for c in range(32, 127)}
    try:  # the keys of the kitty keyboard protocol: caps_lock, media_play, f35...
        from textual._keyboard_protocol import FUNCTIONAL_KEYS

        names |= set(FUNCTIONAL_KEYS.values())
    except ImportError:  # a private module; the names above are the common ones
        pass
    return frozenset(n for n in names if n and not n.startswith("<"))


def _base_ok(base: str) -> bool:
    return len(base) == 1 or base in _named() or key_to_character(base) is not None


def key_problem(key: str) -> str:
    """ "" if `key` (one of a binding's comma-separated keys, stripped) names a key Textual
    reports, else why not."""
    if len(key) == 1:
        return "" if key.isprintable() else f"{key!r} is not a printable character"
    *mods, base = key.split("+")
    if not base or not all(mods) or not _base_ok(base):
        return f"{key!r} is not a key name; keys are named like T, ctrl+t, f5, escape, slash"
    if len(base) == 1 and mods:
        base = _character_to_key(base)  # ctrl+? is reported as ctrl+question_mark
    spelled = "+".join([*sorted({m.lower() for m in mods}), base])
    unknown = [m for m in mods if m.lower() not in MODIFIERS]
    if unknown:
        return f"{key!r} is not a key name: {unknown[0]!r} is not one of {', '.join(MODIFIERS)}"
    if spelled != key:
        return f"{key!r} is not a key name: Textual spells it {spelled}"
    return ""
