"""The text field every form uses: an Input that acts on its own editing keys (⌫,
ctrl+u, ← →…) in the order they reach it, whatever has the focus by the time Textual
would have run them (see tui/own_keys.py)."""

from __future__ import annotations

from textual.widgets import Input

from tui.own_keys import OwnKeys


class Field(OwnKeys, Input):
    pass
