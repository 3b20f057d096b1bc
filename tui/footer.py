"""A Footer that rebuilds its keys only when the keys it shows change.

The stock Footer recomposes (unmounts and mounts a widget per key) every time the bindings
*might* have changed: each focus change, each screen change. Moving between panes with
1-5 changes none of the keys shown, and at start-up three such notices arrive before the
first frame; each rebuild of our two dozen keys costs tens of milliseconds.

It also gives each new key the footer's `compact` before it is mounted: a stock key starts
compact and is then bound to the footer's value, two style updates of ~1 ms per key.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Shown = tuple[tuple[str, str, bool], ...]


def shown_keys(screen: Screen[object]) -> Shown:
    """What the footer would show: (key, description, enabled) per visible binding."""
    return tuple(
        (binding.key, binding.description, enabled)
        for (_, binding, enabled, _tooltip) in screen.active_bindings.values()
        if binding.show
    )


class QuietFooter(Footer):
    _shown: Shown | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = shown_keys(screen)
            if shown == self._shown:
                return  # the same keys: nothing to rebuild
            self._shown = shown
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget
