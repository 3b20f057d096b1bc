"""A focusable widget that runs its own ordinary bindings as it takes each key.

Textual runs a widget's ordinary (non-priority) bindings only when the key has bubbled
back up to the app, and then on whatever has the focus at that moment. The keys that move
the focus act as the app reads them (priority bindings: a form's Tab, the panes' 1-5), so
in a burst of keys, as a slow SSH link delivers them, the focus had often moved on before
an editing or cursor key came back: in `41⌫0<Tab>50` the ⌫ deleted the 5 in the next
field, and in `down down 3` the cursor moved in pane 3. Mixed in first, this runs the
binding between the keys read before and after it, and the key goes no further.
"""

from __future__ import annotations

from typing import cast

from textual import events
from textual.widget import Widget


class OwnKeys:
    """Mix in before the widget class: `class Field(OwnKeys, Input)`. (A Widget subclass
    here would hide the widget's COMPONENT_CLASSES from Textual.)"""

    async def _on_key(self, event: events.Key) -> None:
        widget = cast(Widget, self)
        for binding in widget._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await widget.app.run_action(binding.action, widget):
                event.stop()  # handled here; bubbled up it would act a second time
                event.prevent_default()  # and the widget's own key handler must not see it
                return
        # anything else (a character) goes on to the widget's own handler, as before
