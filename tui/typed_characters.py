"""A character typed on a screen's list may be meant for the field that filters it.

In the denials dialog (`d`) a click on a row gave the table the focus, and `acme` typed
then went nowhere: the table takes no characters, and the footer still said only "tab Next
field". A screen with a `character_typed()` method is told of each printable key (and each
paste) as the app reads it, before the key goes to the focused widget: there, it moves the
focus to its filter when the table has it, and the key lands in the filter, as in fzf or
k9s. Done as the key is read, like a priority binding, so a burst (`acme` in one read over
a slow link) lands whole and in order: the keys after the first go to the filter too.
"""

from __future__ import annotations

from textual import events
from textual.app import App


class TypedCharacters(App[None]):
    """Mixed into WatchfloorApp, after EscapeKeys (whose Esc-then-key pairs come here)."""

    async def on_event(self, event: events.Event) -> None:
        if not event.is_forwarded and (
            isinstance(event, events.Paste)
            or (isinstance(event, events.Key) and event.is_printable)
        ):
            hook = getattr(self.screen, "character_typed", None)
            if callable(hook):
                hook()
        await super().on_event(event)
