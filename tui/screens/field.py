"""The text field every form uses: an Input that acts on its own editing keys in the order
they reach it.

Textual runs a widget's ordinary bindings (backspace, ctrl+u, ← → home end…) only when
the key has bubbled back up to the app, and then on whatever has the focus at that
moment. A form's Tab acts as the app reads it (a priority binding, see form.py), so in a
burst such as `41⌫0<Tab>50` (a slow SSH link delivers keys like that) the focus had moved
on before the ⌫ came back: it deleted the 5 in the next field and left 410 in this one.
Here a field runs its own binding as it takes the key, between the characters typed
before and after it, and the key goes no further.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class Field(Input):
    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()  # handled here; bubbled up it would act a second time
                event.prevent_default()  # and Input's own key handler must not see it
                return
        # anything else (a character) goes on to Input's handler, as it would have
