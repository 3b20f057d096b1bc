"""Esc and the key typed right after it, read together, are the two keys again.

A terminal sends Esc as the byte ESC, and Alt+H as ESC then H. So when Esc and H arrive in
one read (the dashboard was busy drawing, or a slow SSH link delivered them together),
Textual reads them as one key, alt+shift+h, whose character H went into the form's field:
`esc H`, closing a form to reach HALT ALL, typed an H instead. Watchfloor binds no Alt
keys (unless [keys] maps one: then it is left alone), so an Alt key with a printable
character is taken for what was almost surely typed, Esc and then that key, each handled
as if read on its own, on every screen.

Two things kept that to the forms:
- Esc acted at once only where it is a priority binding (the forms'). Elsewhere (the
  timeline, help, the alerts list, the main screen) Textual sends Esc to the focused widget
  and runs its binding when it comes back up to the app, after the next key had already
  been read on the screen Esc was about to close: `esc H` closed the timeline and the H
  went nowhere. Here Esc's binding runs before the key after it is read.
- Textual reads ESC followed by a digit as the character macOS's Option key types with it
  on WezTerm (ESC 4 is ¢), not as alt+4: `esc 4` never reached the grants pane. Those
  pairs are read as Alt keys again (below), so they are Esc then the digit too.
- Textual reads ESC b and ESC f as ctrl+left and ctrl+right (iTerm's Option+arrows move a
  word in a text field), so `esc b` in the timeline marked no baseline. They are read as
  Alt keys too, and stay the word moves only where a text field has the focus.
"""

from __future__ import annotations

from typing import cast

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual.app import App
from textual.keys import _character_to_key
from textual.widgets import Input

WORD_MOVES = {"alt+b": "ctrl+left", "alt+f": "ctrl+right"}  # iTerm's Option+arrows


def read_esc_and_a_digit_as_alt() -> None:
    """ESC then a digit parsed as alt+<digit> (so: Esc then the digit), not as the
    character Option+<digit> types on a Mac (¡™£¢∞§¶•ªº), and ESC b / ESC f as alt+b /
    alt+f, not ctrl+left / ctrl+right (those only in a text field, see EscapeKeys):
    Textual's one table of sequences."""
    table = cast(dict[str, object], ANSI_SEQUENCES_KEYS)
    for seq in [s for s in table if len(s) == 2 and s[0] == "\x1b" and s[1].isdigit()]:
        del table[seq]
    for seq in ("\x1bb", "\x1bf"):
        table.pop(seq, None)


read_esc_and_a_digit_as_alt()


def as_escape_then_key(event: events.Key) -> tuple[events.Key, events.Key] | None:
    """(Esc, the key) for an alt+<printable character> key; None for any other key."""
    mods = event.key.split("+")[:-1]
    char = event.character
    if "alt" not in mods or "ctrl" in mods or "super" in mods or not char:
        return None
    if len(char) != 1 or not char.isprintable():
        return None
    return events.Key("escape", "\x1b"), events.Key(_character_to_key(char), char)


class EscapeKeys(App[None]):
    """Mixed into WatchfloorApp ahead of App."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            move = WORD_MOVES.get(event.key)
            if move is not None and isinstance(self.focused, Input) and not self._bound(event):
                await super().on_event(events.Key(move, None))
                return
            pair = as_escape_then_key(event)
            if pair is not None and not self._bound(event):
                escape, key = pair
                await self._escape_at_once(escape)
                await super().on_event(key)  # on the screen Esc left showing
                return
        await super().on_event(event)

    def _bound(self, event: events.Key) -> bool:
        """Whether some binding on this screen (or the app) has this very key."""
        chain = self.screen._binding_chain
        return any(event.key in bindings.key_to_bindings for _, bindings in chain)

    async def _escape_at_once(self, escape: events.Key) -> None:
        """Esc as this screen takes it (its priority binding, else the ordinary one: a
        dialog closes), done before the next key is read; an Esc nothing binds goes on to
        the focused widget as any key does (the main screen: a selection cleared)."""
        if self.screen.maximized is None:  # else Textual's own: Esc minimizes
            for priority in (True, False):
                if await self._check_bindings("escape", priority=priority):
                    return
        await super().on_event(escape)
