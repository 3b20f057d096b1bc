"""The App: composes the panes, owns the keys, and runs one named worker per source."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Grid
from textual.screen import Screen
from textual.timer import Timer

from backends.alerts import AlertBook
from backends.clock import Clock, SystemClock
from backends.contracts import PANES
from backends.fault_log import FaultLog
from backends.latency_peaks import LatencyPeaks
from backends.models import LatencySnapshot, Snapshot
from backends.timeline import Timeline
from backends.wiring import Sources
from tui.access_actions import AccessActions
from tui.alert_actions import AlertActions
from tui.baseline_follow import BaselineFollow
from tui.crash_report import CrashReport
from tui.escape_keys import EscapeKeys
from tui.fault_actions import FaultActions
from tui.footer import PINNED, KeyFooter, in_bindings_order, key_label, own_key_prefix
from tui.grant_actions import GrantActions
from tui.header import WatchHeader
from tui.no_color import ReadableNoColor
from tui.operator_actions import OperatorActions, Profile
from tui.palette import (
    PALETTE_ID,
    key_of,
    name_palette_binding,
    palette_commands,
    textual_commands,
)
from tui.panes.access import AccessPane
from tui.panes.alerts import AlertStrip
from tui.panes.base import SourcePane, health_class
from tui.panes.faults import FaultsPane
from tui.panes.grants import GrantsPane
from tui.panes.latency import LatencyPane
from tui.panes.release import ReleasePane
from tui.profile_switch import ProfileSwitch
from tui.release_actions import ReleaseActions
from tui.safe_text import SafeOutput
from tui.saving import save, write_new
from tui.source_feed import SourceFeed
from tui.typed_characters import TypedCharacters

HELP_SECTIONS = ("Watchfloor", "This pane", "Moving around")
P = partial(Binding, priority=True)  # see BINDINGS
PANE_CLASSES: dict[str, type[SourcePane]] = {
    "latency": LatencyPane,
    "faults": FaultsPane,
    "access": AccessPane,
    "grants": GrantsPane,
    "release": ReleasePane,
}


def palette_search() -> type[Provider]:
    """The command palette's finder (imported when the palette first opens)."""
    from tui.screens.palette import Commands

    return Commands


class WatchfloorApp(
    CrashReport,
    EscapeKeys,
    TypedCharacters,
    SourceFeed,
    OperatorActions,
    ProfileSwitch,
    AlertActions,
    BaselineFollow,
    GrantActions,
    FaultActions,
    AccessActions,
    ReleaseActions,
    SafeOutput,
    ReadableNoColor,
    App[None],
):
    CSS_PATH = str(Path(__file__).with_name("watchfloor.tcss"))
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {palette_search}
    TITLE = "Watchfloor"
    # The footer shows keys in this order and leaves out what does not fit: incident keys
    # (HALT ALL, fault windows, grants, alerts) come before the rest.
    # Keys that open a form or move the focus are priority bindings (P): they act as the
    # app reads them, so the keys typed after them in one burst reach the form (see
    # tui/screens/form.py). `check_action` turns them off while a modal is on top.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        P("question_mark", "help", "Help", key_display="?", id="app.help"),
        P("1", "focus_pane('latency')", "Go to Latency", show=False, id="focus.latency"),
        P("2", "focus_pane('faults')", "Go to Faults", show=False, id="focus.faults"),
        P("3", "focus_pane('access')", "Go to Access", show=False, id="focus.access"),
        P("4", "focus_pane('grants')", "Go to Grants", show=False, id="focus.grants"),
        P("5", "focus_pane('release')", "Go to Release", show=False, id="focus.release"),
        P("H", "halt_all", "HALT ALL faults", key_display="H", id="faults.halt"),
        P("f", "schedule_fault", "Fault window", id="faults.schedule"),
        P("e", "end_fault", "End window", id="faults.end"),  # asks why: a form
        # the grant under the grants cursor (from another pane it says how to pick one):
        # before `g`, so in the grants pane at 80 columns the footer has room for it
        P("r", "revoke_selected", "Revoke grant", id="grants.revoke"),
        P("g", "grant", "Grant access", id="grants.grant"),
        Binding("a", "ack_alert", "Ack alert", id="alerts.ack"),
        P("A", "alerts_list", "All alerts", key_display="A", id="alerts.list"),
        P("d", "denials", "Denials", id="access.denials"),
        P("p", "policy_replay", "Policy dry-run", id="access.replay"),
        P("slash", "filter", "Filter", key_display="/", id="pane.filter"),
        Binding("b", "mark_baseline", "Mark baseline", id="latency.baseline"),
        P("n", "release_notes", "Release notes", id="release.notes"),
        P("R", "rehearse", "Rollback rehearsal", key_display="R", id="release.rehearse"),
        P("t", "timeline", "Timeline", id="app.timeline"),
        Binding("x", "export_report", "Report", id="app.report"),
        # priority: a dialog on screen (the denials list, a dry-run's result) is captured too
        Binding("ctrl+s", "save_svg", "Screenshot", id="app.screenshot", priority=True),
    ]

    def __init__(
        self,
        sources: Sources,
        *,
        clock: Clock | None = None,
        screenshot_dir: Path | None = None,
        watch: bool = True,
        theme: str | None = None,
        read_only: bool = False,
        keymap: dict[str, str] | None = None,
        profiles: tuple[str, ...] = (),
        active_profile: str = "",
        switch_profile_to: Callable[[str], Profile] | None = None,
        launch_config: str = "",
    ) -> None:
        super().__init__()
        self.sources = sources
        self.forced_read_only = read_only  # --read-only: whatever the profile (read_only)
        self.profiles = profiles
        self.active_profile = active_profile
        self.switch_profile_to = switch_profile_to
        self.launch_config = launch_config  # offered to switch back to (tui.profile_switch)
        self.timeline = Timeline()
        self.fault_log = FaultLog()
        self._pending: dict[str, Snapshot] = {}
        self._shown: set[str] = set()
        self._flush_timer: Timer | None = None
        self._gc_frozen = False
        self._tick_timer: Timer | None = None
        self._streams = {}
        self._firsts = {}
        self.first_latency: LatencySnapshot | None = None
        self.peaks = LatencyPeaks()
        name_palette_binding(self)  # ctrl+p: "app.palette" in [keys]
        if keymap:
            self.set_keymap(keymap)
        self.clock: Clock = clock or SystemClock()
        self.screenshot_dir = screenshot_dir or sources.ctx.data_dir
        self.snapshots: dict[str, Snapshot | None] = dict.fromkeys(PANES)
        self.baselines: dict[str, float] = {}
        self._alert_book = AlertBook()
        self._watch = watch
        self._theme_name = theme
        # before the first styling: a theme set once mounted styles everything again
        # (~25 ms of start-up on a 16-colour terminal, where the ANSI theme is picked)
        self.use_theme(theme, before_mount=True)  # on 8 or 16 colours, ANSI (tui.look)

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield WatchHeader()
        yield AlertStrip(id="alerts")
        now = self.clock.now()
        with Grid(id="panes"):
            for cap, cls in PANE_CLASSES.items():
                health = health_class(self.snapshots.get(cap), now)  # primed in on_load
                yield cls(id=cap, classes=f"pane {health}".rstrip())
        yield KeyFooter()

    async def on_load(self) -> None:
        if self._watch:
            await self.prime_sources()  # before compose: the first frame has the data

    def on_mount(self) -> None:
        self.mark_environment()
        self.alert_strip.alerts = ()
        # alerts going on before a restart: before restore_baseline judges the first data
        self.restore_episodes(self.clock.now())
        self.restore_baseline()  # the one `b` marked before a restart, if any
        self.call_after_refresh(self._first_frame_done)
        if self._watch:
            self.run_sources()
            self._tick_timer = self.set_interval(1.0, self._tick, name="clock")
            self.start_fault_reconciler()
            self.start_baseline_follow()  # a baseline another dashboard marks

    def _first_frame_done(self) -> None:
        """Start-up is over: what it built lives as long as the app, out of the cyclic
        collector's way, and the collector (held by tui.entry) runs again."""
        gc.freeze()
        gc.enable()

    def pane(self, cap: str) -> SourcePane:
        """The pane widget, whichever screen is on top (a modal hides it from queries)."""
        return self.main_screen.query_one(f"#{cap}", SourcePane)

    @property
    def main_screen(self) -> Screen[Any]:
        return self.screen_stack[0] if self.screen_stack else self.screen

    @property
    def alert_strip(self) -> AlertStrip:
        return self.main_screen.query_one(AlertStrip)

    # --- actions ------------------------------------------------------------------------------

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen  # imported when first opened

        self.push_screen(HelpScreen(self._binding_rows(), key_of(self, PALETTE_ID)))

    def action_focus_pane(self, cap: str) -> None:
        self.main_screen.set_focus(self.pane(cap).focus_target())  # now, not after the burst

    def action_save_svg(self) -> None:
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%SZ")
        where = self.screenshot_dir
        save(
            self,
            "Screenshot",
            where,
            lambda: write_new(where, f"watchfloor-{stamp}", ".svg", self.export_screenshot()),
        )

    def _binding_rows(self) -> list[tuple[str, str, str, str]]:
        """Every key that works now, for `?`, as (section, key, what it does, binding id for
        the config's [keys]): the app's own
        first, in BINDINGS order (incident keys first), then the focused pane's (with the
        app's keys for it, as the footer groups them: `g` and `r` for Grants), then the
        keys that only move around (hidden from the footer)."""
        rows: dict[str, list[tuple[str, str, str, str]]] = {s: [] for s in HELP_SECTIONS}
        prefix = own_key_prefix(self.screen)
        for _, a in in_bindings_order(self.screen):
            b = a.binding
            if self.hides(b.action):
                continue
            own = prefix and (b.id or "").startswith(prefix) and b.id not in PINNED
            if not b.show:
                section = HELP_SECTIONS[2]
            elif a.node is self and own:
                section = HELP_SECTIONS[1]
            elif a.node is self or isinstance(a.node, Screen):
                section = HELP_SECTIONS[0]
            else:
                section = HELP_SECTIONS[1]
            key = key_label(self, b)  # as the footer draws it
            rows[section].append((section, key, b.description or b.action, b.id or ""))
        return [row for section in rows.values() for row in section]

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from textual_commands(super().get_system_commands(screen))
        yield from palette_commands(self, self.hides)
        yield from self.profile_commands()

    def action_command_palette(self) -> None:
        from tui.screens.palette import Palette  # imported when first opened

        if self.use_command_palette and not isinstance(self.screen, Palette):
            self.push_screen(Palette(id="--command-palette"))

    async def on_unmount(self) -> None:
        await self.sources.aclose()
