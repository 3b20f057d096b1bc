"""Operator conveniences of the App: filter a pane, the timeline, the game-day report,
and read-only mode hiding every mutating key (alerts: alert_actions).

A mixin for WatchfloorApp (like GrantActions): it uses the app's snapshots, sources, clock
and alert book, and calls no backend except through the sources the app already holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Header

from backends.alerts import AlertBook
from backends.contracts import PANES
from backends.models import FaultsSnapshot, HealthState, LatencySnapshot, Snapshot
from backends.timeline import Timeline
from tui.look import pick_theme
from tui.palette import focus_keys, key_of
from tui.saving import save, write_new

# Screens are imported when first opened: they are not on the first frame's path.

if TYPE_CHECKING:
    from backends.wiring import Sources
    from tui.panes.base import SourcePane

# Actions that change something somewhere; in read-only mode they are left out of the
# footer, `?` and the palette, and refuse with a toast when their key is pressed anyway.
MUTATING_ACTIONS = frozenset(
    {
        "grant",
        "revoke_selected",
        "revoke_grant",  # `r` in a grant's details
        "rehearse",
        "schedule_fault",
        "end_fault",
        "end_window",  # `e` in a fault window's details
        "halt_all",
    }
)
PROD_ENVIRONMENTS = frozenset({"prod", "production"})


def sources_down(snapshots: Mapping[str, Snapshot | None], now: datetime) -> int:
    """The panes whose source is not answering now: failing, stale, or not yet answered.
    One that answers with no data (nothing on its topic, no such series) is not down, as
    a Latency route with no series is not."""
    return sum(
        1
        for cap in PANES
        if (snap := snapshots.get(cap)) is None
        or snap.health.effective_state(now) not in (HealthState.OK, HealthState.NO_DATA)
        or not snap.health.answering
    )


@dataclass(frozen=True)
class Profile:
    """What switching to a profile brings: its sources, and its look (ui.theme, [keys])."""

    sources: Sources
    theme: str = ""
    keymap: Mapping[str, str] = field(default_factory=dict)


def priority_actions(app_class: type) -> frozenset[str]:
    """The actions of the app's own priority bindings: keys that open a screen or move the
    focus on the main screen. Textual checks priority bindings with a modal on top too;
    these are off there (`g` on a form's button would open another form over it)."""
    bindings = getattr(app_class, "BINDINGS", ())
    return (
        frozenset(
            b.action.partition("(")[0] for b in bindings if isinstance(b, Binding) and b.priority
        )
        - IN_DIALOGS
    )


# priority bindings that act with a dialog on top too: a screenshot captures what is there
IN_DIALOGS = frozenset({"save_svg"})


class OperatorActions:
    # Provided by WatchfloorApp / App:
    sources: Sources
    snapshots: dict[str, Snapshot | None]
    baselines: dict[str, float]
    forced_read_only: bool  # --read-only: read-only whatever the profile
    profiles: tuple[str, ...]
    switch_profile_to: Callable[[str], Profile] | None
    _theme_name: str | None
    _alert_book: AlertBook
    timeline: Timeline

    # --- read-only -------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """--read-only, or the current profile's ui.read_only (it follows a profile switch)."""
        return self.forced_read_only or self.sources.read_only

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False hides the binding and refuses it: the key then goes on to the focused widget
        # as if unbound. Read-only mode does not use it: a mutating key, hidden (`hides`),
        # still runs its action, which refuses and says why (refuse_if_read_only).
        app: Any = self
        return not (len(app.screen_stack) > 1 and action in priority_actions(type(app)))

    def hides(self, action: str) -> bool:
        """Whether the footer, `?` and the palette leave this action out: in read-only mode,
        the mutating ones ("app.grant" and "grant" alike)."""
        name = action.rpartition(".")[2].partition("(")[0]
        return self.read_only and name in MUTATING_ACTIONS

    def refuse_if_read_only(self) -> bool:
        app: Any = self
        if self.read_only:
            app.notify("Read-only mode: nothing can be changed from here.", severity="warning")
        return self.read_only

    # --- filter ---------------------------------------------------------------------------------

    def focused_pane(self) -> SourcePane | None:
        from tui.panes.base import SourcePane

        app: Any = self
        node: Widget | None = app.focused
        while node is not None and not isinstance(node, SourcePane):
            node = node.parent if isinstance(node.parent, Widget) else None
        return node

    async def action_filter(self) -> None:
        app: Any = self
        pane = self.focused_pane()
        if pane is None:
            keys = focus_keys(app), key_of(app, "pane.filter")
            app.notify(
                f"Focus a pane first ({keys[0]}), then {keys[1]} to filter it",
                severity="warning",
                markup=False,
            )
            return

        def apply(text: str | None) -> None:
            if text is not None:
                pane.filter_text = text

        from tui.screens.filter import FilterScreen

        await app.push_screen(FilterScreen(pane.TITLE, pane.filter_text), apply)

    # --- timeline and report ---------------------------------------------------------------------

    def action_timeline(self) -> None:
        app: Any = self
        from backends.audit_history import history_note
        from tui.screens.timeline import TimelineScreen

        note = history_note(self.timeline, app.clock.now())
        app.push_screen(TimelineScreen(self.timeline.newest_first(), note))

    def action_export_report(self) -> None:
        app: Any = self
        now = app.clock.now()
        latency = self.snapshots.get("latency")
        faults = self.snapshots.get("faults")
        first = app.first_seen()  # kept with the baseline across a restart (b)
        from backends.audit_history import report_note
        from backends.report import game_day_report

        md = game_day_report(
            now=now,
            environment=self.sources.environment,
            events=self.timeline.newest_first(),
            alerts=app.alert_strip.alerts,
            first_seen=first.p999_ms if first else {},
            latency=latency if isinstance(latency, LatencySnapshot) else None,
            baselines=self.baselines,
            history_note=report_note(self.timeline, now),
            first_seen_at=first.at if first else None,
            baseline_at=app.baseline_at,
            baseline_during=app.baseline_during,
            peaks=app.peaks,
            faults=faults if isinstance(faults, FaultsSnapshot) else None,
            fault_log=app.fault_log,
        )
        where: Path = app.screenshot_dir
        stem = f"gameday-{now:%Y%m%dT%H%M%SZ}"
        path = save(app, "Game-day report", where, lambda: write_new(where, stem, ".md", md))
        if path is not None:
            self.timeline.note(now, "note", f"game-day report exported to {path}")

    # --- profiles ---------------------------------------------------------------------------------

    def apply_look(self, profile: Profile) -> None:
        """The profile's [keys] replace the last profile's (a key it does not remap is back
        to its default). Its ui.theme applies when it differs from the last profile's, so a
        theme picked from the palette stays while the profiles agree."""
        app: Any = self
        app.set_keymap(dict(profile.keymap))
        if profile.theme and profile.theme != self._theme_name:
            self._theme_name = profile.theme
            self.use_theme(profile.theme)

    def use_theme(self, wanted: str | None, *, before_mount: bool = False) -> None:
        """`wanted` (ui.theme; the one in use if none), or on a terminal of 8 or 16 colours
        the ANSI theme like it (tui.look). A name that is no theme changes nothing.
        `before_mount`: set without its watcher, which Textual runs once at mount anyway
        (setting it then, after the first styling, styled everything a second time)."""
        app: Any = self
        theme = pick_theme(
            app.console.color_system,
            wanted or app.theme,
            app.available_themes,
            no_color=app.no_color,
        )
        if theme is not None and before_mount:
            # what App.__init__ does for its default theme, for this one
            app.set_reactive(App.theme, theme)
            app._refresh_truecolor_filter(app.ansi_theme)  # ANSI themes: colours as they are
            app.set_class(app.current_theme.dark, "-dark-mode", update=False)
            app.set_class(not app.current_theme.dark, "-light-mode", update=False)
            app.stylesheet.set_variables(app.get_css_variables())  # not parsed yet: cheap
        elif theme is not None:
            app.theme = theme

    def mark_environment(self) -> None:
        app: Any = self
        self.mark_sources()
        env = self.sources.environment
        app.query_one(Header).set_class(env.lower() in PROD_ENVIRONMENTS, "-prod")

    def mark_sources(self) -> None:
        """The header's subtitle, again at every flush: how many sources are down follows
        them ("live" read as "all is well" while two had never answered)."""
        app: Any = self
        app.sub_title = self.environment_line(app.clock.now())

    def environment_line(self, now: datetime) -> str:
        """The header's "env prod · read-only · live · 2/5 sources down". Env first: on a
        narrow terminal the title is cut from the right, and "env prod" matters more than the
        list of simulated panes; the sources down come before that list too."""
        simulated = self.sources.simulated_panes
        if len(simulated) == len(PANES):
            where = "local simulation"
        elif simulated:  # a mix: say which panes are not real
            where = f"simulated: {', '.join(simulated)}"
        else:
            where = "live"
        down = sources_down(self.snapshots, now)
        health = f"{down}/{len(PANES)} sources down" if down else ""  # fits 80 columns
        parts = [f"env {self.sources.environment}", "read-only" if self.read_only else ""]
        parts += ["live", health] if where == "live" else [health, where]
        return " · ".join(p for p in parts if p)
