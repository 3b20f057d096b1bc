"""Switching profiles from the palette: reconnect every pane with another profile's
backends, and back to the configuration the dashboard was started with.

A mixin for WatchfloorApp (like OperatorActions). The base configuration (no profile) is
offered by the name of its file, "launch config (watchfloor.toml)", once another profile
is on: before, only a restart brought it back. A switch leaves the old profile's alerts
behind, and the timeline says so ("2 alerts of stage no longer watched"), not that each
cleared: the source it watched may well be down still. One the new profile lists still
(the same failed cut: same key, raised at the same time) goes on, neither left behind nor
raised again (backends/timeline_alerts.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand

from backends.contracts import PANES

if TYPE_CHECKING:
    from backends.wiring import Sources
    from tui.operator_actions import Profile

BASE = ""  # the name of the configuration started with, no profile


def launch_label(files: Iterable[object]) -> str:
    """What the palette and the timeline call the base configuration: "launch config
    (FILE)", FILE the config file given (the embedded default's: "defaults")."""
    given = list(files)[1:]  # the first is the embedded default
    return f"launch config ({given[-1] if given else 'defaults'})"


class ProfileSwitch:
    # Provided by WatchfloorApp / App:
    sources: Sources
    profiles: tuple[str, ...]
    active_profile: str
    launch_config: str  # the base config's label (launch_label); "" when it is a profile
    switch_profile_to: Callable[[str], Profile] | None

    def profile_label(self, name: str) -> str:
        """ "profile prod"; the base configuration's "launch config (FILE)"."""
        return f"profile {name}" if name else self.launch_config or "launch config"

    def profile_commands(self) -> Iterable[SystemCommand]:
        """The palette's profile switches (the keys' entries: tui.palette)."""
        app: Any = self
        for name in self.profiles:
            if name != self.active_profile:
                yield SystemCommand(
                    f"Switch to profile {name}",
                    f"Reconnect every pane with the {name} profile",
                    lambda name=name: app.switch_profile(name),
                )
        if self.launch_config and self.active_profile:
            yield SystemCommand(
                f"Switch back to {self.launch_config}",
                "Reconnect every pane as the dashboard started, before any profile switch",
                lambda: app.switch_profile(BASE),
            )

    async def switch_profile(self, name: str) -> None:
        """Reconnect every pane with another profile's backends (dev, stage, prod), or the
        launch config's (`name` BASE)."""
        app: Any = self
        if self.switch_profile_to is None:
            return
        label = self.profile_label(name)
        try:
            profile = self.switch_profile_to(name)
        except Exception as exc:  # a bad profile leaves the current one running
            app.notify(str(exc), title=label[0].upper() + label[1:], severity="error")
            return
        await app.fence_reconcile()  # the old profile's round in flight: over first
        try:
            await self._switch_to(name, label, profile)
        finally:
            app.unfence_reconcile()

    async def _switch_to(self, name: str, label: str, profile: Profile) -> None:
        app: Any = self
        app.workers.cancel_group(app, "sources")
        old, self.sources = self.sources, profile.sources
        await old.aclose()
        was = self.profile_label(self.active_profile)
        self.active_profile = name
        # the old profile's alerts: not cleared, left behind (before anything looks at
        # the alerts again: forget_baseline does); one this profile lists still goes on
        app.timeline.leave_alerts()
        app.snapshots = dict.fromkeys(PANES)
        app._shown = set()
        app.forget_baseline()
        app.peaks.reset()
        app.fault_log.reset()  # the report's windows: this profile's, and its trail's
        now = app.clock.now()
        said, key = f"switched to {label}", f"switch:{now.isoformat()}:{name}"
        app.timeline.note(now, "note", said, key)  # before what this profile says
        app.mark_environment()
        app.show_reconciler_mode()  # read-only follows the profile: so do starts, at once
        app.apply_look(profile)  # its keys (and the footer's read-only keys) at once
        await app.prime_sources()
        app.restore_episodes(app.clock.now())  # this profile's alerts going on
        app.restore_baseline()  # this profile's own, if one was marked
        app.run_sources()  # the first look at this profile's alerts
        dropped = app.timeline.alerts.left_behind()  # those it does not list
        alerts = f"{dropped} alert{'s' * (dropped != 1)} of {was}"
        if dropped:
            app.timeline.say_again(key, f"{said}: {alerts} no longer watched")
        ro = ", read-only" if app.read_only else ""
        left = f"; {alerts} left behind" if dropped else ""
        app.notify(f"Now on {label} (env {self.sources.environment}{ro}){left}", title="Profile")
