"""Whether Textual can ever report a key by this name: a [keys] binding to a name it never
reports ("notakey!!", "shift+ctrl+x": Textual says ctrl+shift+x) did nothing, and the
binding's own key was gone as well. Some are names Textual has but a terminal never
sends: Ctrl+I is the byte of Tab, Ctrl+M Enter's, Ctrl+[ Escape's, Ctrl+H one of
Backspace's, and Textual reads them as those keys; and a letter typed with Ctrl comes as
the small letter (Ctrl+S is ctrl+s)."""

from __future__ import annotations

from functools import cache

from textual.keys import Keys, _character_to_key, key_to_character

# in the order Textual puts them in a key's name (it sorts them): ctrl+shift+x
MODIFIERS = ("alt", "ctrl", "hyper", "meta", "shift", "super")
# names Textual has for keys that arrive as another key: the terminal sends the same byte
SENT_AS = {
    "ctrl+i": "Tab",
    "ctrl+m": "Enter",
    "ctrl+left_square_bracket": "Escape",
    "ctrl+h": "Backspace",
}


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
    unknown = [m for m in mods if m.lower() not in MODIFIERS]
    if unknown:
        return f"{key!r} is not a key name: {unknown[0]!r} is not one of {', '.join(MODIFIERS)}"
    spelled = spelling(mods, base)
    if spelled in SENT_AS:
        return f"{key!r} never reaches the dashboard: terminals send it as {SENT_AS[spelled]}"
    if spelled != key:
        return f"{key!r} is not a key name: Textual spells it {spelled}"
    return ""


def spelling(mods: list[str], base: str) -> str:
    """The name Textual reports for `base` typed with `mods`: modifiers in its order, small
    letters (a terminal sends Ctrl+S as ctrl+s, Alt+H as alt+shift+h)."""
    names = {m.lower() for m in mods}
    if len(base) == 1 and base.isascii() and base.isupper():
        base = base.lower()
        if "ctrl" not in names:
            names.add("shift")
    if len(base) == 1:
        base = _character_to_key(base)  # ctrl+? is reported as ctrl+question_mark
    return "+".join([*sorted(names), base])


def types_a_character(key: str) -> bool:
    """Whether `key` (a name key_problem accepts) types a character into a text field: a
    letter, digit, punctuation or space, shifted or not (`z`, `Z`, `slash`, `space`)."""
    *mods, base = key.strip().split("+") if len(key.strip()) > 1 else [key]
    if any(m.lower() != "shift" for m in mods):
        return False
    return len(base) == 1 or base in _printable_names()


@cache
def _printable_names() -> frozenset[str]:
    return frozenset(_character_to_key(chr(c)) for c in range(32, 127))
