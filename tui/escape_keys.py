"""Esc and the key typed right after it, read together, are the two keys again.

A terminal sends Esc as the byte ESC, and Alt+H as ESC then H. So when Esc and H arrive in
one read (the dashboard was busy drawing, or a slow SSH link delivered them together),
Textual reads them as one key, alt+shift+h, whose character H went into the form's field:
`esc H`, closing a form to reach HALT ALL, typed an H instead. Watchfloor binds no Alt
keys, so an Alt key with a printable character is taken for what was almost surely
typed, Esc and then that key, each handled as if read on its own.
"""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.keys import _character_to_key


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
            pair = as_escape_then_key(event)
            if pair is not None:
                for key in pair:  # in order, each as the app reads a key (priority first)
                    await super().on_event(key)
                return
        await super().on_event(event)
