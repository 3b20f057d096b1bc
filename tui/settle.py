"""Wait for widgets to handle the keys already sent to them.

A priority binding acts as the app reads its key, ahead of the keys read just before it
that the focused widget has not handled yet. An action that reads what those keys change
waits for them first: a form's Enter must submit the whole reason typed before it. Form
fields and pane tables run their own bindings (⌫, ctrl+u, cursor keys) in their own queue
(tui/own_keys.py), so this waits for those too. (The grants list runs its keys through
the app's bindings; its cursor keys are priority bindings instead, like its `r`.)
"""

from __future__ import annotations

import asyncio
import contextlib

from textual.message_pump import MessagePump

SETTLE_S = 1.0  # a widget handles its queued keys in well under this


async def settled(*widgets: MessagePump) -> None:
    """Return once each widget has handled what was queued for it, or after SETTLE_S (never
    hang the app on a widget); a widget that is closing takes nothing more anyway."""
    handled: list[asyncio.Event] = []
    for widget in widgets:
        event = asyncio.Event()
        if widget.call_later(event.set):  # queued behind its keys
            handled.append(event)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in handled)), SETTLE_S)
