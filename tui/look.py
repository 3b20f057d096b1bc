"""Which theme to draw with, for the terminal the dashboard runs on.

Textual's own themes are truecolor: on a terminal of 8 or 16 colours (TERM=xterm,
TERM=linux, TEXTUAL_COLOR_SYSTEM=standard) each colour became the nearest of the 16, and
the nearest ones pointed the wrong way. The dashboard's red (CRIT) is turned into Textual's
Monokai red 244,0,95 first, which lands on magenta; its yellow (WARN, 253,151,31) on bright
red; the theme's accent (the focused pane, orange) on bright red too. So WARN looked worse
than CRIT and a healthy pane looked alarmed. Textual's ANSI themes keep the terminal's own
16 colours as they are: red is red, yellow yellow, green green, and the focus is green
(ansi-dark) or magenta (ansi-light), not an alarm colour.

The theme chosen in the config (ui.theme) is used as it is in 256 colours and truecolor;
on 8 or 16 it picks the ANSI theme of its kind (a light one for a light theme). With
NO_COLOR set nothing changes: there are no colours to get wrong (tui.no_color).
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.theme import Theme

LOW_COLOUR_SYSTEMS = frozenset({"standard", "windows"})  # rich's names for 16 colours (and 8)
ANSI_DARK, ANSI_LIGHT = "ansi-dark", "ansi-light"


def pick_theme(
    color_system: str | None, wanted: str, themes: Mapping[str, Theme], *, no_color: bool
) -> str | None:
    """The theme to draw with: `wanted` (ui.theme, or the one in use), or the ANSI theme
    like it on a terminal of 8 or 16 colours. None: `wanted` is no theme (keep the one in use)."""
    theme = themes.get(wanted)
    if theme is None:
        return None
    if color_system not in LOW_COLOUR_SYSTEMS or no_color or theme.ansi:
        return wanted
    return ANSI_DARK if theme.dark else ANSI_LIGHT
