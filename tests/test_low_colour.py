"""On a terminal of 16 colours (TERM=xterm, TERM=linux, TEXTUAL_COLOR_SYSTEM=standard) the
alert colours point the right way: CRIT on red, WARN on yellow, and the focused healthy
pane is not framed in an alarm colour. Textual's truecolor themes came out as CRIT on
magenta, WARN on bright red and a bright red frame round the focused pane."""

from __future__ import annotations

import pytest
import textual.constants
from rich.color import ColorSystem
from textual.app import App
from textual.geometry import Region
from textual.theme import BUILTIN_THEMES
from textual.widget import Widget

from backends.clock import FrozenClock
from backends.models import Alert, AlertKind
from tests.conftest import T0
from tests.helpers import local_app, wait_for
from tui.look import pick_theme
from tui.panes.keyed_table import KeyedTable

COLOR_SYSTEMS = {"standard": ColorSystem.STANDARD, "truecolor": ColorSystem.TRUECOLOR}
ALARM = {"31", "91", "33", "93", "35", "95", "41", "101", "43", "103", "45", "105"}


def sgr_runs(widget: Widget, color_system: str) -> list[tuple[set[str], str]]:
    """What a terminal of `color_system` is sent for `widget`: (SGR codes, text) runs.
    Worked out here: rich keeps the codes a style was first rendered with on the style."""
    system = COLOR_SYSTEMS[color_system]
    crop = Region(0, 0, widget.size.width, widget.size.height)
    runs = []
    for text, style, _ in (seg for strip in widget.render_lines(crop) for seg in strip):
        codes = {"1"} if style and style.bold else set()
        if style and style.color:
            codes.update(style.color.downgrade(system).get_ansi_codes())
        if style and style.bgcolor:
            codes.update(style.bgcolor.downgrade(system).get_ansi_codes(foreground=False))
        runs.append((codes, text))
    return runs


def codes_of(runs: list[tuple[set[str], str]], text: str) -> set[str]:
    return next(codes for codes, t in runs if t.strip().startswith(text))


def test_the_theme_for_8_or_16_colours_is_the_ansi_one_of_its_kind() -> None:
    themes = BUILTIN_THEMES
    assert pick_theme("standard", "textual-dark", themes, no_color=False) == "ansi-dark"
    assert pick_theme("windows", "gruvbox", themes, no_color=False) == "ansi-dark"
    assert pick_theme("standard", "textual-light", themes, no_color=False) == "ansi-light"
    assert pick_theme("standard", "ansi-light", themes, no_color=False) == "ansi-light"
    # ui.theme as chosen in 256 colours and truecolor, and with NO_COLOR (no colours to get wrong)
    assert pick_theme("truecolor", "gruvbox", themes, no_color=False) == "gruvbox"
    assert pick_theme("256", "nord", themes, no_color=False) == "nord"
    assert pick_theme("standard", "nord", themes, no_color=True) == "nord"
    assert pick_theme(None, "nord", themes, no_color=False) == "nord"  # TERM=dumb
    assert pick_theme("standard", "no-such-theme", themes, no_color=False) is None


@pytest.mark.parametrize("color_system", ["standard", "truecolor"])
async def test_crit_is_red_warn_yellow_and_the_focused_pane_not_alarmed(
    monkeypatch: pytest.MonkeyPatch, color_system: str
) -> None:
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", color_system)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        app.alert_strip.alerts = (
            Alert(
                kind=AlertKind.DENY_SPIKE,
                key="deny",
                message="21% denied",
                raised_at=T0,
                severity="critical",
            ),
            Alert(kind=AlertKind.P999_REGRESSION, key="p999", message="slow", raised_at=T0),
        )
        await pilot.pause(0.1)
        strip = sgr_runs(app.alert_strip, color_system)
        assert app.pane("latency").has_focus_within
        focused = sgr_runs(app.pane("latency"), color_system)
        table = sgr_runs(app.pane("latency").query_one(KeyedTable), color_system)
    if color_system == "truecolor":  # the theme as it was: its own red
        assert app.theme == "textual-dark"
        assert "48" in codes_of(strip, "CRIT")
        return
    assert codes_of(strip, "CRIT") & {"41", "101"}  # on red
    assert codes_of(strip, "WARN") & {"43", "103"}  # on yellow
    # the focused, healthy pane's frame (it was bright red, 91) and header (bright yellow)
    assert not codes_of(focused, "╭") & ALARM
    assert not codes_of(table, "route") & ALARM
    assert app.theme == "ansi-dark"


async def test_the_ansi_theme_is_set_before_the_first_styling_not_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Set once mounted, a theme styles the whole screen a second time (bench/startup: ~25 ms
    of a ~420 ms start on a 16-colour terminal). Picked before mount it costs nothing."""
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")
    restyled: list[bool] = []
    original = App.refresh_css

    def counted(self: App[None], animate: bool = True) -> None:
        restyled.append(animate)
        original(self, animate)

    monkeypatch.setattr(App, "refresh_css", counted)
    app = local_app(FrozenClock(T0))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.all_panes_filled, what="data")
        assert app.theme == "ansi-dark"
        assert app.has_class("-dark-mode") and not app.has_class("-light-mode")
    assert restyled == []
