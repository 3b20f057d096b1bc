"""The footer: every key that works right now, on one line, most important first.

One widget draws all the keys. The stock Footer mounts a widget per key (17 here) and
unmounts and mounts them all again whenever the bindings change, which at start-up alone
costs a recompose and ~70 style applications. It also lays the keys out in a row that
scrolls sideways, so at 160 columns HALT ALL sat off the right edge, unseen.

On the dashboard quit, help and HALT ALL come first, at any width and whatever has the
focus; then the focused widget's own keys, then the app's keys of the pane it is in
(binding ids "access.*" for the Access pane: `d`, `p`), then the screen's (a dialog's),
then the app's in the order of its BINDINGS (by binding id, whatever key [keys] gives
them), which puts the incident keys (HALT ALL, fault windows, grants) early. What does
not fit is left out and a "…" says so; `?` lists every key. The command palette key
stays on the right. A click on a key presses it, as with
the stock footer, but a double-click presses it once (see `on_click`). A screen whose
widgets take a key themselves, with no binding to show (Enter in the palette's search
field), names it in FOOTER_HINTS: shown first.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widget import Widget

MORE = " … "
PINNED = frozenset({"app.quit", "app.help", "faults.halt"})  # first on the dashboard


class Shown(NamedTuple):
    key: str
    display: str
    description: str
    enabled: bool


def key_label(app: App[Any], binding: Binding) -> str:
    """A key as the footer draws it ("^s", "f3", "⏎", a binding's key_display): `?` lists
    keys with this too, so the two never name a key differently."""
    return app.get_key_display(binding)


def shown_keys(screen: Screen[object]) -> tuple[list[Shown], Shown | None]:
    """(the keys to show in order, the command palette key or None) for this screen."""
    app = screen.app
    hides = getattr(app, "hides", None)  # WatchfloorApp: mutating keys in read-only mode
    palette: Shown | None = None
    widget_keys: list[Shown] = []
    screen_keys: list[Shown] = []
    app_keys: list[Shown] = []
    seen: set[tuple[int, str]] = set()  # one key per action, as the stock footer shows
    hints = [  # (key, what it does): keys a widget takes itself, shown as bindings are
        Shown(key, key_label(app, Binding(key, "", description)), description, True)
        for key, description in getattr(screen, "FOOTER_HINTS", ())
    ]
    pane_keys: list[Shown] = []  # the app's keys of the focused pane (`d` for Access)
    pinned: list[Shown] = []  # on the dashboard: quit, help and HALT ALL, always first
    prefix = own_key_prefix(screen)
    dashboard = bool(app.screen_stack) and screen is app.screen_stack[0]
    for key, (node, binding, enabled, _tooltip) in in_bindings_order(screen):
        item = Shown(key, key_label(app, binding), binding.description, enabled)
        if binding.action == "command_palette" and app.ENABLE_COMMAND_PALETTE:  # [keys] too
            palette = item
        elif callable(hides) and hides(binding.action):
            continue
        elif binding.show and (id(node), binding.action) not in seen:
            seen.add((id(node), binding.action))
            if node is app and dashboard and binding.id in PINNED:
                tier = pinned
            elif node is app:
                own = prefix and (binding.id or "").startswith(prefix)
                tier = pane_keys if own else app_keys
            else:
                tier = screen_keys if node is screen else widget_keys
            tier.append(item)
    return hints + pinned + widget_keys + pane_keys + screen_keys + app_keys, palette


def in_bindings_order(screen: Screen[object]) -> list[tuple[str, ActiveBinding]]:
    """The screen's active bindings in Textual's order, but each node's run of them in the
    order of its BINDINGS. Textual moves a binding [keys] remaps to the end of its node's
    keys, so remapped incident keys (f, e, g, r, a) went after Screenshot, out of a footer
    too narrow for them all."""
    ranks: dict[int, dict[str, int]] = {}  # id(node) -> binding id (or action) -> place

    def rank(item: tuple[str, ActiveBinding]) -> int:
        node, binding = item[1].node, item[1].binding
        if id(node) not in ranks:
            order: dict[str, int] = {}
            for bindings in node._bindings.key_to_bindings.values():  # as declared
                for b in bindings:
                    order.setdefault(b.id or b.action, len(order))
            ranks[id(node)] = order
        return ranks[id(node)].get(binding.id or binding.action, len(ranks[id(node)]))

    runs: list[list[tuple[str, ActiveBinding]]] = []
    for item in screen.active_bindings.items():
        if runs and runs[-1][-1][1].node is item[1].node:
            runs[-1].append(item)
        else:
            runs.append([item])
    return [item for run in runs for item in sorted(run, key=rank)]


def own_key_prefix(screen: Screen[object]) -> str:
    """The binding-id prefix of the focused pane's keys ("access." for d and p), from the
    nearest ancestor of the focused widget that has `own_key_prefix`; "" for none."""
    node = screen.focused
    while node is not None:
        prefix = getattr(node, "own_key_prefix", "")
        if prefix:
            return str(prefix)
        node = node.parent  # type: ignore[assignment]
    return ""


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, Shown]] = []  # drawn keys: [start, end) columns
        self._last: tuple[tuple[Shown, ...], Shown | None] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if not screen.app.app_focus or screen is not self.screen:
            return  # unfocused terminal, or another screen: keep what is drawn
        keys, palette = shown_keys(screen)
        if (tuple(keys), palette) != self._last:
            self.refresh()

    @property
    def drawn(self) -> list[Shown]:
        """The keys on screen after the last render, left to right (palette last)."""
        return [item for _, _, item in self._spans]

    def render(self) -> Text:
        if self._last is None or self.screen.is_active:
            keys, palette = shown_keys(self.screen)
            self._last = (tuple(keys), palette)
        else:  # redrawn under a dialog: its keys as they were (some are off meanwhile)
            keys, palette = list(self._last[0]), self._last[1]
        key_style = self.get_component_rich_style("key-footer--key")
        desc_style = self.get_component_rich_style("key-footer--description")
        width = self.size.width
        right = self._label(palette, key_style, desc_style) if palette else Text()
        if palette and keys:
            first = self._label(keys[0], key_style, desc_style).cell_len + cell_len(MORE)
            if first > width - right.cell_len:
                palette, right = None, Text()  # too narrow for both: the keys win
        room = width - right.cell_len
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        for i, item in enumerate(keys):
            label = self._label(item, key_style, desc_style)
            last = i == len(keys) - 1
            if line.cell_len + label.cell_len + (0 if last else cell_len(MORE)) > room:
                line.append(MORE, desc_style)
                break
            self._spans.append((line.cell_len, line.cell_len + label.cell_len, item))
            line.append_text(label)
        line.append(" " * max(0, room - line.cell_len))
        if palette:
            self._spans.append((room, room + right.cell_len, palette))
            line.append_text(right)
        return line

    @staticmethod
    def _label(item: Shown, key_style: Style, desc_style: Style) -> Text:
        text = Text.assemble((f" {item.display} ", key_style), (f"{item.description} ", desc_style))
        if not item.enabled:
            text.stylize("dim")
        return text

    def on_click(self, event: events.Click) -> None:
        """A click presses the key under it once: on the click (the release), and only the
        first of a chain. The app counts the chain across screens, so the second click of a
        double-click on a dialog's `esc Close` does not press the dashboard key that is
        under it once the dialog has gone (`q Quit`, `H` HALT ALL)."""
        if event.chain > 1:
            return
        for start, end, item in self._spans:
            if start <= event.x < end:
                if item.enabled:
                    self.app.simulate_key(item.key)
                else:
                    self.app.bell()
                return
