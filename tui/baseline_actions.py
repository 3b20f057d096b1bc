"""The p99.9 baseline of the App: `b` marks it and keeps it in the data dir; it is restored
at start and after a profile switch (that profile's own), and the report's "first seen"
comes with it, so a dashboard restarted mid-game-day still compares with its start.

A mixin for WatchfloorApp (like GrantActions). The file is backends/baseline_store.py's;
this says what happened: a toast and a timeline note for a restored baseline, one warning
for one too old or an unreadable file, after which the dashboard carries on without one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
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
from backends.faults_core import NEVER_STARTED, cancelled, ended_at
from backends.models import FaultWindow, LatencySnapshot, Snapshot, WindowState
from backends.timeline import Timeline
from tui.fmt import ago, latency
from tui.palette import key_of

if TYPE_CHECKING:
    from backends.wiring import Sources

TITLE = "p99.9 baseline"
AGAIN_S = 5.0  # a second `b` this soon marks the baseline during a fault window


def _when(at: datetime, now: datetime) -> str:
    return f"{at:%H:%M}Z" if at.date() == now.date() else f"{at:%Y-%m-%d %H:%M}Z"


def _listed(p999_ms: dict[str, float]) -> str:
    return ", ".join(f"{k} {latency(v)}" for k, v in p999_ms.items())


def _where(windows: list[FaultWindow]) -> str:
    """ "464fad7a on stage/docs-api, 52fd3b02 on stage/docs-api": by id, as two windows on
    one host could not be told apart by their host."""
    more = f" and {len(windows) - 3} more" if len(windows) > 3 else ""
    named = (f"{w.id} on {w.spec.namespace}/{w.spec.target_host}" for w in windows[:3])
    return ", ".join(named) + more


def during_words(active: list[FaultWindow], recent: list[FaultWindow]) -> str:
    """What a baseline marked anyway includes, as the toast, the timeline and the report
    say it: "during fault window 464fad7a on stage/docs-api" (injecting as it was marked),
    "just after fault window 464fad7a on stage/docs-api" (its latency still in the p99.9);
    "" with neither."""
    windows, when = (active, "during") if active else (recent, "just after")
    if not windows:
        return ""
    named = [f"{w.id} on {w.spec.namespace}/{w.spec.target_host}" for w in windows[:3]]
    more = f" and {len(windows) - 3} more" if len(windows) > 3 else ""
    return f"{when} fault window{'s' * (len(windows) > 1)} {', '.join(named)}{more}"


def still_in_window(
    windows: Iterable[FaultWindow], now: datetime, window_s: float
) -> list[FaultWindow]:
    """Fault windows that ended less than `window_s` ago, so the latency they injected is
    still in a p99.9 over the last `window_s`. Not one cancelled before it started, nor one
    whose whole window passed with nothing applied: they injected nothing."""
    return [
        w
        for w in windows
        if w.state(now) is WindowState.ENDED
        and not cancelled(w)
        and w.end_reason != NEVER_STARTED
        and (now - ended_at(w)).total_seconds() < window_s
    ]


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
    baseline_during: str = ""  # the fault windows it was marked during (during_words)
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

    def _faulted_first(self) -> bool:
        """A fault window injecting now, or one that ended less than the latency window
        ago (its latency is still in the p99.9), would make its latency the baseline (and
        replace the one kept for a restart): the first `b` says so, a second within AGAIN_S
        marks it."""
        app: Any = self
        now = self.clock.now()
        active, recent, window_s = self._faults_in_p999()
        armed = self._baseline_armed
        if not (active or recent) or (armed is not None and time.monotonic() - armed <= AGAIN_S):
            self._baseline_armed = None
            return False
        self._baseline_armed = time.monotonic()
        kept = " and replace the one kept" if self.baselines else ""
        if active:
            title = "Mark the baseline during a fault?"
            why = f"A fault window is injecting now ({_where(active)})"
        else:
            title = "Mark the baseline just after a fault?"
            last = max(ended_at(w) for w in recent)
            leaves = last + timedelta(seconds=window_s)
            one = len(recent) == 1
            why = (
                f"p99.9 still includes fault window{'' if one else 's'} {_where(recent)},"
                f" {'' if one else 'last '}ended {ago(now - last)} ago:"
                f" {'its' if one else 'their'} latency leaves the {window_s:.0f} s window"
                f" at {leaves:%H:%M:%S}Z"
            )
        app.notify(
            f"{why}: marking would take {'its latency' if active else 'it'} as the"
            f" baseline{kept}."
            f" Press {key_of(app, 'latency.baseline')} again to mark it anyway.",
            title=title,
            severity="warning",
            timeout=AGAIN_S,
        )
        return True

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
        if self._faulted_first():
            return
        now = self.clock.now()
        # a new baseline keeps "first seen": the game day's first p99.9 (one restored with
        # the last baseline, or taken from another dashboard's), not this run's
        first = self.first_seen()
        self.baselines, self.baseline_at, self.kept_first_seen = marked, now, first
        self.baseline_during = during = during_words(*self._faults_in_p999()[:2])
        self._show_baselines()
        said = f" {during}: " if during else ": "  # marked anyway: flagged wherever said
        self.timeline.note(now, "note", f"baseline marked{said}{_listed(marked)}")
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
                f"Baseline marked{said}{_listed(marked)}; not kept for a restart: {exc}",
                title=TITLE,
                severity="warning",
            )
            return
        self.baseline_unreadable = False
        if saved.moved:  # the unreadable file was not overwritten: moved aside, and said
            self.timeline.note(now, "note", f"baselines file {saved.moved}")
        app.notify(
            f"Baseline marked{said}{_listed(marked)}" + (f"; {saved.moved}" if saved.moved else ""),
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
            when = _when(found.stale.baseline.at, now)
            hours = MAX_AGE.total_seconds() / 3600
            text = f"from {when} not restored: older than {hours:.0f} h"
            self._say_once(f"baseline {text}", f"Baseline {text} (press {key} to mark a new one)")
        elif found.kept is not None:
            kept = found.kept
            self.baselines = dict(kept.baseline.p999_ms)
            self.baseline_at, self.kept_first_seen = kept.baseline.at, kept.first_seen
            self.baseline_during = kept.during
            when = _when(kept.baseline.at, now)
            if kept.during:  # marked anyway during a fault: still said
                when += f" (marked {kept.during})"
            self.timeline.note(
                now, "note", f"baseline from {when} restored: {_listed(self.baselines)}"
            )
            app: Any = self
            app.notify(
                f"Baseline from {when} restored (press {key} to mark a new one)",
                title=TITLE,
                severity="warning" if kept.during else "information",
            )
        self._show_baselines()
