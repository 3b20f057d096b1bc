"""Which keys work at the same time, for the [keys] check (tui/config_check.py): a key may be
shared by bindings never active together, and only by those.

Every key was checked against every other, so valid remaps were refused: `notes.close =
"escape,q,N"` because q is Quit's (the notes cover the dashboard, whose q is off), and
`timeline.close = "escape,T"` with `app.timeline = "T"` (the defaults give t to both: T
opens the timeline and closes it). What is active together (a scope):
- on the dashboard: the app's keys, with the keys of one focused widget (a pane's table,
  the grants list: never two of them at once);
- in a dialog: its own keys, with those of one widget its module composes (a table);
- everywhere: Textual's own (ctrl+q, ctrl+c, the command palette's ctrl+p, tab and
  shift+tab), as before.
A dialog with text fields (a form, the palette's search) has its keys act before the
focused field gets the key, so a character there (`grant.cancel = "escape,z"`) closed the
form at the z of "liz@example.com": `typed` says so, and its own ids are in `own`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.screen import Screen

# what Textual's own bindings (they have no id) do, where their description does not say
TEXTUAL_WORDS = {"command_palette": "command palette", "help_quit": "how-to-quit reminder"}


@dataclass(frozen=True)
class Scope:
    where: str  # "the dashboard", "GrantScreen"
    bindings: tuple[tuple[Binding, str], ...]  # each with what has it, for messages
    typed: bool = False  # has text fields that take characters
    own: frozenset[str] = frozenset()  # the ids of the dialog's own keys


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def ours() -> list[type[DOMNode]]:
    """Every watchfloor widget, screen and app class, the dialogs imported (the dashboard
    imports them only when one opens)."""
    import tui.app  # the app and its panes
    import tui.screens

    for mod in pkgutil.iter_modules(tui.screens.__path__):
        importlib.import_module(f"tui.screens.{mod.name}")
    found = [c for c in _subclasses(DOMNode) if c.__module__.startswith("tui.")]
    return list(dict.fromkeys(found))


def binding_ids() -> dict[str, Binding]:
    """Every binding id a [keys] table may remap: the app, panes and tables, and dialogs,
    and the command palette's (tui/palette.py)."""
    from tui.app import WatchfloorApp
    from tui.palette import PALETTE_ID, palette_binding

    out: dict[str, Binding] = {PALETTE_ID: palette_binding(WatchfloorApp.COMMAND_PALETTE_BINDING)}
    for cls in ours():
        for b in cls.__dict__.get("BINDINGS", []):
            if isinstance(b, Binding) and b.id:
                out.setdefault(b.id, b)
    return out


def what_has(b: Binding) -> str:
    if b.id:
        return f"{b.id} ({b.description or b.action}); pick another, or remap that one too"
    return f"Textual's {TEXTUAL_WORDS.get(b.action, b.description or b.action)}; pick another"


def _listed(cls: type[DOMNode], ids_only: bool = False) -> list[tuple[Binding, str]]:
    bindings = [b for bs in cls._merge_bindings().key_to_bindings.values() for b in bs]
    return [(b, what_has(b)) for b in bindings if b.id or not ids_only]


def everywhere() -> list[tuple[Binding, str]]:
    """Textual's own keys, on every screen: ctrl+q, ctrl+c, the palette's (`app.palette`),
    tab, shift+tab."""
    from tui.app import WatchfloorApp
    from tui.palette import palette_binding

    found = _listed(App) + _listed(Screen)
    if WatchfloorApp.ENABLE_COMMAND_PALETTE:
        palette = palette_binding(WatchfloorApp.COMMAND_PALETTE_BINDING)
        found.append((palette, what_has(palette)))
    return found


def has_text_fields(cls: type[DOMNode]) -> bool:
    from tui.screens.form import TypeAheadModal  # every form, the filters, denials, replay

    return issubclass(cls, (TypeAheadModal, CommandPalette))


def scopes() -> list[Scope]:
    """Every set of keys active together (see the module's doc)."""
    from tui.app import WatchfloorApp
    from tui.palette import PALETTE_ID

    classes = ours()
    widgets = [
        c
        for c in classes
        if not issubclass(c, (App, Screen)) and any(b.id for b, _ in _listed(c, ids_only=True))
    ]
    base = everywhere()
    app = _listed(WatchfloorApp, ids_only=True)  # Textual's App keys are in `base`
    out = [Scope("the dashboard", (*base, *app))]
    out += [Scope("the dashboard", (*base, *app, *_listed(w, ids_only=True))) for w in widgets]
    for screen in classes:
        if not issubclass(screen, Screen):
            continue
        own = _listed(screen)
        ids = frozenset(b.id for b, _ in own if b.id)
        if not ids:
            continue
        typed = has_text_fields(screen)
        if typed:  # the palette's key works over it too: typed into a field, it would open
            ids |= {PALETTE_ID}
        where = screen.__name__
        out.append(Scope(where, (*base, *own), typed, ids))
        names = vars(sys.modules[screen.__module__]).values()
        for w in (w for w in widgets if any(n is w for n in names)):  # a table it composes
            out.append(Scope(where, (*base, *own, *_listed(w, ids_only=True)), typed, ids))
    return out
