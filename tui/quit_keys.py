"""Which key quits where the user is, for what the quit notices say ("Press q again").

On the dashboard that is `app.quit` (q, as [keys] has it). A dialog covers the dashboard's
keys and its fields take q as text: only Textual's ctrl+q (a priority binding, on every
screen) quits there. The notices said "q again" in a dialog too, and the q then went into
the field. Also: whether the dialog on top has text typed in it, which quitting would
drop (each form field, tui/screens/field.py, keeps what it held when it opened)."""

from __future__ import annotations

from typing import Any

from textual.app import App

from tui.palette import key_of, said

QUIT_ACTIONS = ("quit", "app.quit")


def quit_key_here(app: App[Any]) -> str:
    """The key that quits on the screen on top, as messages name it: the dashboard's q
    where it reaches the app, else Textual's own (ctrl+q), which works on every screen."""
    active = app.screen.active_bindings.values()
    if on_dashboard(app) and any(a.enabled and a.binding.id == "app.quit" for a in active):
        return key_of(app, "app.quit")
    bindings = (b for bs in app._bindings.key_to_bindings.values() for b in bs)
    everywhere = [b for b in bindings if b.priority and b.action in QUIT_ACTIONS]
    if not everywhere:
        return key_of(app, "app.quit")
    b = everywhere[0]
    return b.key if "+" in b.key else said(app, b)  # "ctrl+q", not the footer's "^q"


def on_dashboard(app: App[Any]) -> bool:
    """No dialog on top: the dashboard's keys (H, q) work."""
    return len(app.screen_stack) <= 1


def typed_unsent(app: App[Any]) -> bool:
    """The dialog on top has text typed in one of its fields since it opened (not sent:
    quitting drops it)."""
    from tui.screens.field import Field

    return not on_dashboard(app) and any(f.typed() for f in app.screen.query(Field))


TYPED_WORDS = "What is typed in this dialog has not been sent."
