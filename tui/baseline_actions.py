"""The p99.9 baseline of the App: `b` marks it and keeps it in the data dir; it is restored
at start and after a profile switch (that profile's own), and the report's "first seen"
comes with it, so a dashboard restarted mid-game-day still compares with its start.

A mixin for WatchfloorApp (like GrantActions). The file is backends/baseline_store.py's;
this says what happened: a toast and a timeline note for a restored baseline, one warning
for one too old or an unreadable file, after which the dashboard carries on without one.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from backends.baseline_store import (
    MAX_AGE,
    KeptBaseline,
    P999Mark,
    baseline_key,
    file_stamp,
    load_baseline,
    save_baseline,
)
from backends.clock import Clock
from backends.faults_core import ended_at
from backends.models import FaultWindow, LatencySnapshot, Snapshot, WindowState
from backends.timeline import Timeline
from tui.baseline_words import (
    during_words,
    listed,
    marked_when,
    stale_words,
    still_in_window,
    windows_named,
)
from tui.fmt import ago
from tui.palette import key_of

if TYPE_CHECKING:
    from backends.wiring import Sources

TITLE = "p99.9 baseline"
AGAIN_S = 5.0  # a second `b` this soon marks the baseline during a fault window
ASK_DURING = "Mark the baseline during a fault?"
ASK_AFTER = "Mark the baseline just after a fault?"
ASK_STALE = "Mark the baseline from stale data?"
ASK_TITLES = (ASK_DURING, ASK_AFTER, ASK_STALE)  # the toasts that ask for a second `b`


class BaselineActions:
    # Provided by WatchfloorApp / App:
    sources: Sources
    clock: Clock
    timeline: Timeline
    snapshots: dict[str, Snapshot | None]
    active_profile: str
    baselines: dict[str, float]  # what the pane, the alerts and the report compare with
    first_latency: LatencySnapshot | None  # this run's first p99.9 (tui/source_feed.py)
    # when the baseline was marked, and the first p99.9 of the run that marked it (another
    # run's, when restored)
    baseline_at: datetime | None = None
    kept_first_seen: P999Mark | None = None
    # what it was marked anyway with: the fault windows it includes (during_words), data
    # not fresh (stale_words)
    baseline_during: str = ""
    baseline_file: tuple[int, int] | None = None  # the file's stamp when last read
    _baseline_said: frozenset[str] = frozenset()  # warnings given once
    baseline_unreadable: bool = False  # the file could not be read, and that was said
    _baseline_armed: float | None = None  # when `b` during a fault window was pressed

    def _baseline_key(self) -> str:
        latency = getattr(self.sources.by_capability.get("latency"), "name", "")
        return baseline_key(self.active_profile, self.sources.environment, latency)

    def _show_baselines(self) -> None:
        from tui.panes.latency import LatencyPane

        app: Any = self
        pane = app.pane("latency")
        if isinstance(pane, LatencyPane):
            pane.baselines = dict(self.baselines)
        app.refresh_alerts()

    def _say_once(self, note: str, message: str) -> None:
        """A warning and a timeline note, once per run: not again after a profile switch."""
        if message not in self._baseline_said:
            self._baseline_said |= {message}
            self.timeline.note(self.clock.now(), "note", note)
            app: Any = self
            app.notify(message, title=TITLE, severity="warning")

    def own_first_seen(self) -> P999Mark | None:
        first = self.first_latency
        if first is None:
            return None
        seen = {r.route: r.p999_ms for r in first.routes if r.p999_ms is not None}
        return P999Mark(at=first.observed_at, p999_ms=seen)

    def first_seen(self) -> P999Mark | None:
        """The report's "before": kept with a restored baseline, else this run's first."""
        return self.kept_first_seen or self.own_first_seen()

    def forget_baseline(self) -> None:
        """A profile switch: the last profile's baseline and first p99.9 are not this one's."""
        self.baselines, self.baseline_at, self.kept_first_seen = {}, None, None
        self.baseline_during = ""
        self.first_latency = None
        self._show_baselines()

    def _faults_in_p999(self) -> tuple[list[FaultWindow], list[FaultWindow], float]:
        """The fault windows injecting now; with none, those that ended less than the
        latency window ago (their latency still in the p99.9); and that window, in s."""
        snap = self.snapshots.get("faults")
        latency = self.snapshots.get("latency")
        window_s = latency.window_s if isinstance(latency, LatencySnapshot) else 0.0
        now = self.clock.now()
        windows = getattr(snap, "windows", ())
        active = [w for w in windows if w.applied and w.state(now) is WindowState.ACTIVE]
        recent = [] if active else still_in_window(windows, now, window_s)
        return active, recent, window_s

    def _asked_first(self) -> bool:
        """A fault window injecting now, or one that ended less than the latency window
        ago (its latency is still in the p99.9), would make its latency the baseline (and
        replace the one kept for a restart); so would a latency source that is not
        answering (a Prometheus timing out: the p99.9 shown is the last it answered, 35 s
        ago). The first `b` says so, a second within AGAIN_S marks it, flagged."""
        app: Any = self
        now = self.clock.now()
        active, recent, window_s = self._faults_in_p999()
        latency = self.snapshots.get("latency")
        stale = stale_words(latency, now)
        armed = self._baseline_armed
        if not (active or recent or stale) or (
            armed is not None and time.monotonic() - armed <= AGAIN_S
        ):
            self._baseline_armed = None
            return False
        self._baseline_armed = time.monotonic()
        kept = " and replace the one kept" if self.baselines else ""
        title, whys = ASK_STALE, []
        if active:
            title = ASK_DURING
            whys.append(f"A fault window is injecting now ({windows_named(active)})")
        elif recent:
            title = ASK_AFTER
            last = max(ended_at(w) for w in recent)
            leaves = last + timedelta(seconds=window_s)
            one = len(recent) == 1
            whys.append(
                f"p99.9 still includes fault window{'' if one else 's'} {windows_named(recent)},"
                f" {'' if one else 'last '}ended {ago(now - last)} ago:"
                f" {'its' if one else 'their'} latency leaves the {window_s:.0f}s window"
                f" at {leaves:%H:%M:%S}Z"
            )
        if latency is not None and stale:
            why = latency.health.last_error or latency.health.effective_state(now).value
            whys.append(f"{'the ' if whys else 'The '}latency source is not answering ({why})")
            whys.append(f"its p99.9 is {stale}")
        app.notify(
            f"{'; '.join(whys)}: marking would take {'its latency' if active else 'it'} as the"
            f" baseline{kept}."
            f" Press {key_of(app, 'latency.baseline')} again to mark it anyway.",
            title=title,
            severity="warning",
            timeout=AGAIN_S,
        )
        return True

    def _drop_ask(self) -> None:
        """Take down the toast that asked for a second `b` (before a new one is shown, or
        once the second marked it: "Press b again" is no longer true)."""
        app: Any = self
        for n in [n for n in app._notifications if n.title in ASK_TITLES]:
            app._unnotify(n)

    def action_mark_baseline(self) -> None:
        app: Any = self
        snap = self.snapshots.get("latency")
        routes = getattr(snap, "routes", ())
        # a lower bound ("> X", the +Inf bucket) is no baseline: later values could not be
        # told apart from it
        marked = {
            r.route: r.p999_ms
            for r in routes
            if r.p999_ms is not None and not getattr(r, "above_last_bucket", False)
        }
        if not marked:
            stays = " (the current one stays)" if self.baselines else ""
            app.notify(f"No p99.9 yet to mark as a baseline{stays}", severity="warning")
            return
        asked = self._asked_first()
        self._drop_ask()  # answered (marked), or asked again: the new ask in its place
        if asked:
            return
        now = self.clock.now()
        # a new baseline keeps "first seen": the game day's first p99.9 (one restored with
        # the last baseline, or taken from another dashboard's), not this run's
        first = self.first_seen()
        self.baselines, self.baseline_at, self.kept_first_seen = marked, now, first
        flags = (during_words(*self._faults_in_p999()[:2]), stale_words(snap, now))
        self.baseline_during = during = ", ".join(f for f in flags if f)
        self._show_baselines()
        said = f" {during}: " if during else ": "  # marked anyway: flagged wherever said
        self.timeline.note(now, "note", f"baseline marked{said}{listed(marked)}")
        kept = KeptBaseline(
            baseline=P999Mark(at=now, p999_ms=marked),
            first_seen=first,
            during=during,
            marked_by=self.sources.ctx.actor,
            profile=self.active_profile,
            environment=self.sources.environment,
            latency_source=getattr(self.sources.by_capability.get("latency"), "name", ""),
        )
        try:
            saved = save_baseline(self.sources.ctx.data_dir, self._baseline_key(), kept)
        except OSError as exc:
            app.notify(
                f"Baseline marked{said}{listed(marked, toast=True)}; not kept for a restart: {exc}",
                title=TITLE,
                severity="warning",
            )
            return
        self.baseline_unreadable = False
        if saved.moved:  # the unreadable file was not overwritten: moved aside, and said
            self.timeline.note(now, "note", f"baselines file {saved.moved}")
        moved = f"; {saved.moved}" if saved.moved else ""
        app.notify(
            f"Baseline marked{said}{listed(marked, toast=True)}{moved}",
            title=TITLE,
            severity="warning" if during or saved.moved else "information",
        )

    def restore_baseline(self) -> None:
        """At start and after a profile switch: this profile's kept baseline, if any."""
        now = self.clock.now()
        self.baselines, self.baseline_at, self.kept_first_seen = {}, None, None
        self.baseline_during = ""
        self.baseline_file = file_stamp(self.sources.ctx.data_dir)  # as read (baseline_follow)
        found = load_baseline(self.sources.ctx.data_dir, self._baseline_key(), now)
        key = key_of(self, "latency.baseline")  # type: ignore[arg-type]
        self.baseline_unreadable = bool(found.problem)  # said here: not again by the follow
        if found.problem:
            self._say_once(
                f"kept baseline not read: {found.problem}",
                f"Could not read the kept baseline, carrying on without one ({found.problem});"
                f" {key} marks a new one and moves the unreadable file aside",
            )
        elif found.stale is not None:
            when = marked_when(found.stale.baseline.at, now)
            hours = MAX_AGE.total_seconds() / 3600
            text = f"from {when} not restored: older than {hours:.0f}h"  # one word: a toast
            self._say_once(f"baseline {text}", f"Baseline {text} (press {key} to mark a new one)")
        elif found.kept is not None:
            kept = found.kept
            self.baselines = dict(kept.baseline.p999_ms)
            self.baseline_at, self.kept_first_seen = kept.baseline.at, kept.first_seen
            self.baseline_during = kept.during
            when = marked_when(kept.baseline.at, now)
            if kept.during:  # marked anyway during a fault: still said
                when += f" (marked {kept.during})"
            self.timeline.note(
                now, "note", f"baseline from {when} restored: {listed(self.baselines)}"
            )
            app: Any = self
            app.notify(
                f"Baseline from {when} restored (press {key} to mark a new one)",
                title=TITLE,
                severity="warning" if kept.during else "information",
            )
        self._show_baselines()
