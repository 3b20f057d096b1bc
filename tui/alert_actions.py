"""The App's alerts, as a mixin of WatchfloorApp (like OperatorActions): `a` acknowledges
the top alert, `A` lists them all (and `a` there acks the one under the cursor).

An ack is audited (backends/alert_acks.py), as a worker counted in flight (tui/in_flight.py):
the alert is shown acknowledged once its request is in the audit trail; refused (no trail,
or it cannot be written) it is not, and a toast says why. Dashboards started later on the
same trail show it acknowledged still (the audit history read at start, tui/history_feed.py).
A read-only dashboard writes nothing: there `a` acknowledges the alert on this dashboard
only, not audited and not shared (a viewer must not dim a CRIT on the on-call's screen).

The alerts going on are kept in the data dir (backends/alert_episodes.py), so that after a
restart one without a time of its own carries on from its start, and so does its ack.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from backends.alert_episodes import (
    SAVE_EVERY,
    Episode,
    episode_scope,
    load_episodes,
    save_episodes,
)
from backends.alerts import AlertBook
from backends.contracts import ActionRefused
from backends.models import Alert
from backends.polling import describe_error
from backends.timeline import Timeline

if TYPE_CHECKING:
    from backends.wiring import Sources


class AlertActions:
    # Provided by WatchfloorApp / App:
    sources: Sources
    _alert_book: AlertBook
    timeline: Timeline
    active_profile: str
    # the episodes last kept, where and when (keep_episodes)
    _kept_episodes: tuple[str, dict[str, Episode], datetime] | None = None
    _episodes_failed_at: datetime | None = None  # not kept then: tried again SAVE_EVERY on

    def _episode_scope(self) -> str:
        return episode_scope(self.active_profile, self.sources.environment)

    def restore_episodes(self, now: datetime) -> None:
        """At start: the alerts a dashboard on this data dir saw going on lately."""
        found = load_episodes(self.sources.ctx.data_dir, self._episode_scope(), now)
        self._alert_book.restore(found)

    def keep_episodes(self, now: datetime) -> None:
        """After each look at the alerts: keep their episodes when one began or ended, and
        every SAVE_EVERY while they go on. An error is left for the next time: this
        dashboard carries on the same without (only a restart would miss them). A
        read-only dashboard keeps none: it writes nothing to the data dir."""
        if getattr(self, "read_only", False):
            return
        scope, current = self._episode_scope(), self._alert_book.episodes()
        last_scope, last, last_at = self._kept_episodes or (scope, {}, None)
        if last_scope != scope:  # a profile switch: what was kept is the other one's
            last, last_at = {}, None
        started = {k: e.since for k, e in current.items()}
        if started == {k: e.since for k, e in last.items()} and (
            not current or (last_at is not None and now - last_at < SAVE_EVERY)
        ):
            return
        failed = self._episodes_failed_at
        if failed is not None and now - failed < SAVE_EVERY:
            return
        try:
            gone = last.keys() - current.keys()
            save_episodes(self.sources.ctx.data_dir, scope, current, gone, now)
        except OSError:
            self._episodes_failed_at = now
            return
        self._kept_episodes, self._episodes_failed_at = (scope, current, now), None

    def action_ack_alert(self) -> None:
        app: Any = self
        alert = self._alert_book.claim_newest()
        if alert is None:
            app.notify("No unacknowledged alert", title="Alerts")
            return
        self._send_ack(alert)

    def _send_ack(self, alert: Alert) -> None:
        """An ack is audited (backends/alert_acks.py): the alert is shown acknowledged once
        its request is in the audit trail; refused (no trail), it is not, and says why."""
        app: Any = self
        actor = self.sources.ctx.actor
        book = self._alert_book
        if getattr(app, "read_only", False):
            self._ack_here_only(alert)
            return

        async def work() -> bool:
            from backends.alert_acks import Ack, record_ack

            now = app.clock.now()
            try:
                await record_ack(
                    self.sources.ctx.audit,
                    actor,
                    alert,
                    now,
                    lambda: book.confirm(alert.key, Ack(actor, now)),
                )
            except Exception as exc:
                book.release(alert.key)
                why = str(exc) if isinstance(exc, ActionRefused) else describe_error(exc)
                app.notify(
                    f"{alert.kind.value} is not acknowledged: {why}",
                    title="Alerts",
                    severity="error",
                    markup=False,
                )
                return False
            self._acknowledged(alert, now)
            return True

        app.send(f"Ack of {alert.kind.value}", work(), key=f"ack:{alert.key}")

    def _ack_here_only(self, alert: Alert) -> None:
        """Read-only: acknowledged on this dashboard, not audited nor shared; it says so."""
        from backends.alert_acks import HERE_ONLY, Ack

        app: Any = self
        now, actor = app.clock.now(), self.sources.ctx.actor
        self._alert_book.confirm(alert.key, Ack(actor, now, here_only=True))
        app.notify(
            f"{alert.kind.value} acknowledged {HERE_ONLY}, so not audited; other"
            " dashboards still show it unacknowledged",
            title="Alerts",
            markup=False,
        )
        # no audit record to match: its own key, so another's audited ack still shows
        what = f"acknowledged {alert.kind.value} ({alert.message}) by {actor}, {HERE_ONLY}"
        self.timeline.note(now, "alert", what)
        if app.is_running and app.screen_stack:
            app.refresh_alerts()

    def _acknowledged(self, alert: Alert, now: datetime) -> None:
        from backends.timeline import ack_key

        app: Any = self
        key = ack_key(alert.key, alert.raised_at.isoformat())  # the audit trail's too
        if not self.timeline.has_live(key):  # a grants poll may have read it already
            self.timeline.note(
                now,
                "alert",  # which one: two routes can have the same kind of alert
                f"acknowledged {alert.kind.value} ({alert.message}) by {self.sources.ctx.actor}",
                key,
            )
        if app.is_running and app.screen_stack:  # not once it is quitting
            app.refresh_alerts()
            from tui.screens.alerts import AlertsScreen

            for screen in app.screen_stack:  # the list shows ✓ack now, not at its next feed
                if isinstance(screen, AlertsScreen):
                    screen.alerts = app.alert_strip.alerts

    def action_alerts_list(self) -> None:
        """Every current alert (the strip shows three), `a` there acks the one under the cursor."""
        app: Any = self
        from tui.screens.alerts import AlertsScreen

        def feed() -> None:
            screen.alerts = app.alert_strip.alerts

        def ack(key: str) -> None:
            alert = self._alert_book.claim(key)
            if alert is None:
                app.notify(self._alert_book.why_not(key), title="Alerts", markup=False)
                return
            self._send_ack(alert)

        screen = AlertsScreen(app.alert_strip.alerts, ack)
        timer = app.set_interval(1.0, feed, name="alerts-list")
        app.push_screen(screen, lambda _: timer.stop())
