"""A p99.9 baseline marked on another dashboard on the same data dir, taken in while this
one runs: without it, each kept the baseline it had until a restart, and went on raising
p99.9 regressions against one the other had replaced.

Every CHECK_S (a timer on the UI thread: one stat, no thread) the baselines file's stamp
(its time and size, backends/baseline_store.py) is compared with the one last read; only
when it changed is the file read again, and this profile's entry taken if it is newer than
the baseline shown. From then on the pane, the alerts and the report compare with it, and
a toast and a timeline note say who marked it and when ("baseline marked by alice at
09:01:00Z"). One this dashboard marked, an older one or an entry too old change nothing.
A file that can no longer be read is said once (a toast and a timeline note, naming the
file and the error) until it can be again; the baseline in memory stays, and the file is
left as it is (`b` moves it aside before writing: tui/baseline_actions.py).
"""

from __future__ import annotations

from typing import Any

from backends.baseline_store import KeptBaseline, file_stamp, load_baseline
from backends.timeline_words import stamp
from tui.baseline_actions import TITLE, BaselineActions
from tui.baseline_words import listed
from tui.palette import key_of

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
        found = load_baseline(data_dir, self._baseline_key(), self.clock.now())
        if found.problem:
            self._unreadable(found.problem)
            return
        self.baseline_unreadable = False  # readable again: a later problem is news
        kept = found.kept
        if kept is None or (self.baseline_at is not None and kept.baseline.at <= self.baseline_at):
            return
        self._take(kept)

    def _unreadable(self, problem: str) -> None:
        """The file went bad while this dashboard runs (another process, a full disk, a
        hand edit): said once, until it can be read again; the baseline in memory stays,
        and the file is left as it is (`b` moves it aside before it writes a new one)."""
        if self.baseline_unreadable:
            return
        self.baseline_unreadable = True
        now = self.clock.now()
        kept = f"keeping {listed(self.baselines)}" if self.baselines else "no baseline kept"
        key = key_of(self, "latency.baseline")  # type: ignore[arg-type]
        self.timeline.note(now, "note", f"baselines file not read: {problem}; {kept}")
        app: Any = self
        app.notify(
            f"Could not read the baselines file ({problem}); {kept} in memory, the file left"
            f" as it is; {key} marks a new one and moves the unreadable file aside",
            title=TITLE,
            severity="warning",
            markup=False,
        )

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
        self.timeline.note(
            min(kept.baseline.at, now), "note", f"baseline {text}: {listed(self.baselines)}"
        )
        app: Any = self
        app.notify(
            f"Baseline {text}: {listed(self.baselines, toast=True)}",
            title=TITLE,
            severity="warning" if kept.during else "information",
            markup=False,
        )
        self._show_baselines()
