"""A p99.9 baseline marked on another dashboard on the same data dir, taken in while this
one runs: without it, each kept the baseline it had until a restart, and went on raising
p99.9 regressions against one the other had replaced.

Every CHECK_S (a timer on the UI thread: one stat, no thread) the baselines file's stamp
(its time and size, backends/baseline_store.py) is compared with the one last read; only
when it changed is the file read again, and this profile's entry taken if it is newer than
the baseline shown. From then on the pane, the alerts and the report compare with it, and
a toast and a timeline note say who marked it and when ("baseline marked by alice at
09:01:00Z"). One this dashboard marked, an older one, an entry too old or an unreadable
file change nothing (the start and `b` say those: tui/baseline_actions.py).
"""

from __future__ import annotations

from typing import Any

from backends.baseline_store import KeptBaseline, file_stamp, load_baseline
from backends.timeline import stamp
from tui.baseline_actions import TITLE, BaselineActions
from tui.baseline_words import listed_ms

CHECK_S = 5.0  # how often the file is looked at


class BaselineFollow(BaselineActions):
    """BaselineActions, and the baselines others mark (a mixin of WatchfloorApp)."""

    def start_baseline_follow(self) -> None:
        app: Any = self
        app.set_interval(CHECK_S, self.follow_baseline, name="baseline-file")

    def follow_baseline(self) -> None:
        """A newer baseline of this profile in the file, if it changed since last read."""
        data_dir = self.sources.ctx.data_dir
        seen = file_stamp(data_dir)
        if seen == self.baseline_file:
            return
        self.baseline_file = seen
        kept = load_baseline(data_dir, self._baseline_key(), self.clock.now()).kept
        if kept is None or (self.baseline_at is not None and kept.baseline.at <= self.baseline_at):
            return
        self._take(kept)

    def _take(self, kept: KeptBaseline) -> None:
        now = self.clock.now()
        # the report's "first seen": the earlier of this run's and the one that marked it
        firsts = [m for m in (self.first_seen(), kept.first_seen) if m is not None]
        self.kept_first_seen = min(firsts, key=lambda m: m.at, default=None)
        self.baselines, self.baseline_at = dict(kept.baseline.p999_ms), kept.baseline.at
        self.baseline_during = kept.during
        by = f" by {kept.marked_by}" if kept.marked_by else ""
        during = f" {kept.during}" if kept.during else ""  # marked anyway during a fault
        text = f"marked{by} at {stamp(kept.baseline.at, now.date())}{during}"
        text += f": {listed_ms(self.baselines)}"
        self.timeline.note(min(kept.baseline.at, now), "note", f"baseline {text}")
        app: Any = self
        app.notify(
            f"Baseline {text}",
            title=TITLE,
            severity="warning" if kept.during else "information",
            markup=False,
        )
        self._show_baselines()
