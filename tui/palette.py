"""The command palette's entries: every key of the dashboard, each with its key.

An entry names a binding by its id; the palette runs that binding's action and shows the
key it has now, as the footer and `?` show it (remapped in [keys]: the new key). Of
Textual's own entries only Theme and Maximize/Minimize stay: its Quit duplicated ours,
its Screenshot duplicated ctrl+s (and failed), and its Keys panel is `?` again, without
read-only mode (it listed the mutating keys).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from textual.actions import parse
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.markup import escape

PANE_ORDER = ("latency", "faults", "access", "grants", "release")  # focused by 1-5
TEXTUAL_KEPT = frozenset({"Theme", "Maximize", "Minimize"})  # of App.get_system_commands
ENTRIES = (  # (binding id, title, what it does); the palette lists them sorted by title
    ("app.quit", "Quit", "Waits for actions being sent; asks first with fault windows open"),
    ("app.help", "Help", "Every key that works now, with its id for [keys]"),
    ("faults.halt", "HALT ALL fault injection", "Remove every managed fault (type HALT)"),
    ("faults.schedule", "Schedule a fault window", "Open the fault window form"),
    ("faults.end", "End selected fault window", "End the window under the faults cursor"),
    ("grants.grant", "Grant break-glass access", "Open the grant form"),
    ("grants.revoke", "Revoke selected grant", "Revoke the grant under the grants cursor"),
    ("alerts.ack", "Acknowledge the top alert", "Dim it until it clears"),
    ("alerts.list", "All alerts", "Every current alert, whole; acknowledge any of them"),
    ("access.denials", "Recent denials", "Drill down into recent denied decisions"),
    ("access.replay", "Policy dry-run", "Replay recent decisions through a candidate policy"),
    ("pane.filter", "Filter focused pane", "Show only rows containing text"),
    ("latency.baseline", "Mark p99.9 baseline", "Use current p99.9 per route as the baseline"),
    ("release.notes", "Release notes", "Open the latest release's notes"),
    ("release.rehearse", "Rollback rehearsal", "Trigger it: asks to confirm, audited"),
    ("app.timeline", "Timeline", "Everything that changed, from the recent audit trail on"),
    ("app.report", "Export game-day report", "Markdown into the data dir"),
    ("app.screenshot", "Save SVG screenshot", "Write the screen to the data dir"),
    *(
        (f"focus.{cap}", f"Focus {cap} pane", f"Move the cursor to the {cap} pane")
        for cap in PANE_ORDER
    ),
)


# Words a tired user types for an entry that its title does not have; the palette finds
# an entry by the words of its title, of these, and of its help text (tui/screens/palette.py)
SEARCH_WORDS: dict[str, tuple[str, ...]] = {
    "faults.halt": ("stop", "abort", "kill", "halt", "panic", "emergency", "stop all faults"),
    "faults.schedule": ("inject fault", "chaos", "new fault", "start fault", "add latency"),
    "faults.end": ("cancel fault", "stop window", "stop fault", "finish window", "end fault"),
    "grants.grant": ("break glass", "access", "elevate", "sudo", "permission", "new grant"),
    "grants.revoke": ("remove access", "cancel grant", "end grant", "take back access"),
    "alerts.ack": ("acknowledge", "silence", "mute", "snooze alert"),
    "alerts.list": ("alerts", "list alerts", "pages"),
    "access.denials": ("denied", "deny", "forbidden", "why denied"),
    "access.replay": ("policy test", "what if", "simulate policy", "replay"),
    "pane.filter": ("search", "find", "grep"),
    "latency.baseline": ("slo", "latency", "regression", "record latency"),
    "release.notes": ("changelog", "what shipped", "version"),
    "release.rehearse": ("rollback", "roll back", "revert", "undo release"),
    "app.timeline": ("history", "audit", "log", "events", "what changed"),
    "app.report": ("postmortem", "export", "markdown", "game day"),
    "app.screenshot": ("svg", "capture", "image", "snapshot"),
    "app.help": ("keys", "shortcuts", "bindings", "keyboard"),
    "app.quit": ("exit", "close", "leave"),
}


def search_words(title: str) -> tuple[str, ...]:
    """The SEARCH_WORDS of the entry with this title (none for Textual's and the profiles')."""
    return next((SEARCH_WORDS.get(bid, ()) for bid, t, _ in ENTRIES if t == title), ())


def current_bindings(app: App[Any], ids: Iterable[str]) -> dict[str, Binding]:
    """Binding id -> the binding as it is now ([keys] applied): the app's own, the main
    screen's widgets' (`r` in the grants pane runs an app action), and the open dialogs'."""
    wanted = set(ids)
    found: dict[str, Binding] = {}
    main = app.screen_stack[0] if app.screen_stack else app.screen
    dialogs = app.screen_stack[1:]  # a form's own keys ("grant.cancel"), for what it says
    for node in (app, *main.walk_children(), *dialogs):
        if len(found) == len(wanted):
            break  # the app's own are found at once: key_of is called as panes draw
        bindings = node._bindings.copy()
        if app._keymap:
            bindings.apply_keymap(app._keymap)
        for key_bindings in bindings.key_to_bindings.values():
            for b in key_bindings:
                if b.id in wanted and b.id not in found:
                    found[b.id] = b
    return found


def run(app: App[Any], binding: Binding) -> Callable[[], Any]:
    """What the palette calls: the binding's action, on the app. Called directly rather
    than through run_action, so check_action (off for priority keys while a modal is on
    top) does not turn it away."""
    _, name, params = parse(binding.action)
    return partial(getattr(app, f"action_{name}"), *params)


def palette_commands(app: App[Any], hides: Callable[[str], bool]) -> Iterator[SystemCommand]:
    """An entry per ENTRIES binding that `hides` does not leave out (read-only mode)."""
    bindings = current_bindings(app, (bid for bid, _, _ in ENTRIES))
    for bid, title, help_text in ENTRIES:
        b = bindings.get(bid)
        if b is None or hides(b.action):
            continue
        shown = escape(f"{help_text} ({app.get_key_display(b)})")  # [keys] is not markup
        yield SystemCommand(title, shown, run(app, b))


def textual_commands(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Of Textual's own entries, those kept (TEXTUAL_KEPT)."""
    return (c for c in commands if c.title in TEXTUAL_KEPT)


PALETTE_ID = "app.palette"  # Textual's command palette key, given an id: [keys] moves it


def palette_binding(key: str) -> Binding:
    """The command palette's binding as Textual makes it (priority: it opens over a dialog
    too), with an id, so that `"app.palette" = "f6"` in [keys] moves it."""
    return Binding(
        key,
        "command_palette",
        "palette",  # as Textual's: the footer's right end says "^p palette"
        show=False,
        priority=True,
        tooltip="Open the command palette",
        id=PALETTE_ID,
    )


def name_palette_binding(app: App[Any]) -> None:
    """Give Textual's own palette binding (added in App.__init__, with no id) its id, before
    [keys] is applied."""
    for key, bindings in app._bindings.key_to_bindings.items():
        app._bindings.key_to_bindings[key] = [
            palette_binding(key) if b.action == "command_palette" and not b.id else b
            for b in bindings
        ]


def key_of(app: App[Any], binding_id: str) -> str:
    """The key of a binding as the footer shows it now ([keys] applied), for messages that
    name it ("press b again"); its default key in an app without it (a pane on its own, in
    a test harness); the id itself if no binding has it."""
    b = current_bindings(app, [binding_id]).get(binding_id) or _default(binding_id)
    if b is None:
        return binding_id
    return said(app, b)


# Keys as a sentence names them ("Esc closes", "Enter sends again"), not as the footer
# draws them (esc, ⏎)
SAID = {"escape": "Esc", "enter": "Enter"}


def said(app: App[Any], b: Binding) -> str:
    return SAID.get(b.key) or app.get_key_display(b)


def _default(binding_id: str) -> Binding | None:
    from tui.app import WatchfloorApp  # imported by then wherever there is a dashboard

    defaults = WatchfloorApp._merge_bindings().key_to_bindings.values()
    return next((b for bs in defaults for b in bs if b.id == binding_id), None)


def shown_key(app: App[Any], binding_id: str) -> str:
    """key_of, or "" where the footer leaves the key out: a mutating key in read-only mode
    (pressed, it is refused), so a message does not offer it."""
    b = current_bindings(app, [binding_id]).get(binding_id) or _default(binding_id)
    hides = getattr(app, "hides", None)
    if b is None or (callable(hides) and hides(b.action)):
        return ""
    return said(app, b)


def focus_keys(app: App[Any]) -> str:
    """The keys that focus the panes, for messages: "1-5", or each ("F1, F2, …") once
    remapped."""
    keys = [key_of(app, f"focus.{cap}") for cap in PANE_ORDER]
    digits = "".join(keys)
    if digits.isdigit() and len(digits) == len(keys) and digits in "0123456789":
        return f"{keys[0]}-{keys[-1]}"
    return ", ".join(keys)
