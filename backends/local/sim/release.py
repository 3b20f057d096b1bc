"""The release train, as a pure function of its seed, its origin and time.

Cut n starts at ``(n - 1 - LEAD_CUTS) * CUT_INTERVAL_S`` seconds after the origin (so the
train already has finished cuts when the simulation starts) and its stage durations come
from an RNG seeded with (seed, n). Its version is numbered within its UTC day
(``v2026.11.27-m1`` is the day's first cut, or the train's first), and every
``FAIL_EVERY``-th of the day fails at "verify provenance". Nothing here depends on how time
was advanced, so a resumed laptop costs nothing. A successful cut is followed by a rollback
rehearsal; manual rehearsals (``manual``) are the only state: the local backend keeps the
origin and those in its store, so every process on a data dir shows the same train.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from backends.local.sim.release_notes import published_release
from backends.models import (
    PublishedRelease,
    Rehearsal,
    ReleaseRun,
    ReleaseStage,
    StageStatus,
    Verification,
    not_missing_yet,
)

STAGES: tuple[str, ...] = (
    "verify digests",
    "verify provenance",
    "generate notes",
    "attach SBOM",
    "publish",
)
CUT_INTERVAL_S = 240.0
LEAD_CUTS = 3
FAIL_EVERY = 4
FAIL_STAGE = STAGES.index("verify provenance")
STAGE_S = (15.0, 40.0)
REHEARSAL_S = (20.0, 40.0)
RECENT = 5
MAX_MANUAL = 8  # manual rehearsals a train looks at (the latest)
AUTOMATIC = ("release-train", "automatic, after the cut published")  # actor, reason

_V, _U, _M, _F = (
    Verification.VERIFIED,
    Verification.UNVERIFIED,
    Verification.MISSING,
    Verification.FAILED,
)


@dataclass(frozen=True, slots=True)
class CutPlan:
    n: int
    number: int  # within its UTC day: the version's -mN
    start: float
    bounds: tuple[tuple[float, float], ...]  # (start, end) offsets per stage that runs
    fails: bool
    end: float
    rehearsal_end: float | None  # the rollback rehearsal after a successful cut


@dataclass(frozen=True, slots=True)
class ManualRehearsal:
    """A rollback rehearsal someone triggered, the n-th on this train."""

    n: int
    started_at: datetime
    ends_at: datetime
    actor: str
    reason: str
    release: str | None  # the release it rolls back, as the one who triggered it saw it

    @property
    def run_id(self) -> str:
        return f"rehearsal-manual-{self.n}"


def _artifacts(done: int, failed: bool) -> dict[str, Verification]:
    """Artifact states after ``done`` stages passed; ``failed``: the next one failed."""
    a = {"digests": _U, "provenance": _U, "sbom": _M, "notes": _M}
    if done >= 1:
        a["digests"] = _V
    if done >= 2:
        a["provenance"] = _V
    if done >= 3:
        a["notes"] = _U
    if done >= 4:
        a["sbom"] = _U
    if done >= 5:
        a["notes"] = a["sbom"] = _V
    if failed:
        a[("digests", "provenance", "notes", "sbom", "notes")[done]] = _F
    return a


class ReleaseTrain:
    def __init__(self, seed: int, origin: datetime) -> None:
        if origin.tzinfo is None:
            raise ValueError("origin must be timezone-aware")
        self.seed = seed
        self.origin = origin.astimezone(UTC)
        self._plans: dict[int, CutPlan] = {}
        self._finished: dict[int, ReleaseRun] = {}
        self.manual: tuple[ManualRehearsal, ...] = ()  # the latest, oldest first

    def offset(self, at: datetime) -> float:
        """Seconds from the origin to `at`: the time the other methods take."""
        return (at - self.origin).total_seconds()

    def _start(self, n: int) -> datetime:
        return self._at((n - 1 - LEAD_CUTS) * CUT_INTERVAL_S)

    def number(self, n: int) -> int:
        """Cut n's number within its UTC day: 1 for the day's first cut (or the train's)."""
        midnight = self._start(n).replace(hour=0, minute=0, second=0, microsecond=0)
        first = math.ceil(self.offset(midnight) / CUT_INTERVAL_S) + 1 + LEAD_CUTS
        while self._start(first) < midnight:  # float error either way
            first += 1
        while self._start(first - 1) >= midnight:
            first -= 1
        return n - (max(first, 1) if n >= 1 else first) + 1

    def plan(self, n: int) -> CutPlan:
        p = self._plans.get(n)
        if p is None:
            rng = random.Random(f"{self.seed}:cut:{n}")
            start = (n - 1 - LEAD_CUTS) * CUT_INTERVAL_S
            number = self.number(n)
            fails = number % FAIL_EVERY == 0
            last = FAIL_STAGE if fails else len(STAGES) - 1
            bounds: list[tuple[float, float]] = []
            t = start
            for _ in range(last + 1):
                d = round(rng.uniform(*STAGE_S), 3)
                bounds.append((t, t + d))
                t += d
            reh = None if fails else t + round(rng.uniform(*REHEARSAL_S), 3)
            p = CutPlan(n, number, start, tuple(bounds), fails, t, reh)
            if len(self._plans) > 64:
                self._plans.clear()
            self._plans[n] = p
        return p

    def _at(self, off: float) -> datetime:
        return self.origin + timedelta(seconds=off)

    def version(self, p: CutPlan) -> str:
        return f"v{self._at(p.start):%Y.%m.%d}-m{p.number}"

    def run(self, n: int, t: float) -> ReleaseRun:
        cached = self._finished.get(n)
        if cached is not None:
            return cached
        p = self.plan(n)
        stages: list[ReleaseStage] = []
        done = 0
        failed = False
        for i, name in enumerate(STAGES):
            if i >= len(p.bounds):
                status = StageStatus.SKIPPED if t >= p.end else StageStatus.PENDING
                stages.append(ReleaseStage(name=name, status=status))
                continue
            s, e = p.bounds[i]
            if t < s:
                stages.append(ReleaseStage(name=name, status=StageStatus.PENDING))
            elif t < e:
                stages.append(
                    ReleaseStage(name=name, status=StageStatus.RUNNING, started_at=self._at(s))
                )
            else:
                bad = p.fails and i == FAIL_STAGE
                failed = failed or bad
                done += 0 if bad else 1
                stages.append(
                    ReleaseStage(
                        name=name,
                        status=StageStatus.FAILURE if bad else StageStatus.SUCCESS,
                        started_at=self._at(s),
                        finished_at=self._at(e),
                    )
                )
        finished = t >= p.end
        status = (
            StageStatus.RUNNING
            if not finished
            else StageStatus.FAILURE
            if p.fails
            else StageStatus.SUCCESS
        )
        start_at = self._at(p.start)
        arts = _artifacts(done, failed)
        run = ReleaseRun(
            id=f"release-train-{n}",
            version=self.version(p),
            status=status,
            started_at=start_at,
            finished_at=self._at(p.end) if finished else None,
            stages=tuple(stages),
            artifacts=arts if finished else not_missing_yet(arts),
        )
        if finished:
            if len(self._finished) > 64:
                self._finished.clear()
            self._finished[n] = run
        return run

    def current_cut(self, t: float) -> int:
        return math.floor(t / CUT_INTERVAL_S) + 1 + LEAD_CUTS

    def snapshot(self, t: float) -> tuple[ReleaseRun, tuple[ReleaseRun, ...]]:
        """The current cut and the latest finished ones, newest first."""
        n = self.current_cut(t)
        current = self.run(n, t)
        recent: list[ReleaseRun] = []
        k = n
        while len(recent) < RECENT and k >= 1:
            if t >= self.plan(k).end:
                recent.append(self.run(k, t))
            k -= 1
        return current, tuple(recent)

    def published(self, t: float) -> PublishedRelease | None:
        """The latest release as of offset t: the newest cut that finished green."""
        k = self.current_cut(t)
        while k >= 1 and k > self.current_cut(t) - 2 * FAIL_EVERY:
            p = self.plan(k)
            if p.end <= t and not p.fails:
                return published_release(self.seed, k, self.run(k, p.end))
            k -= 1
        return None

    def manual_run(
        self, n: int, at: datetime, actor: str, reason: str, release: str | None
    ) -> ManualRehearsal:
        """The n-th manual rehearsal, started at `at`: it succeeds some seconds later."""
        rng = random.Random(f"{self.seed}:rehearsal:{n}")
        took = timedelta(seconds=round(rng.uniform(*REHEARSAL_S), 3))
        return ManualRehearsal(n, at, at + took, actor, reason, release)

    def trigger(
        self, t: float, actor: str = "", reason: str = "", release: str | None = None
    ) -> ManualRehearsal:
        """Start a manual rollback rehearsal at offset t, in memory (a store's train is
        given its manual rehearsals instead: ``manual``)."""
        n = max((m.n for m in self.manual), default=0) + 1
        run = self.manual_run(n, self._at(t), actor, reason, release)
        self.manual = (*self.manual, run)[-MAX_MANUAL:]
        return run

    def rehearsals(self, t: float) -> tuple[Rehearsal, ...]:
        """The rehearsals started by offset t, newest first, at most RECENT: the automatic
        one after each green cut and the manual ones."""
        found: list[tuple[float, bool, Rehearsal]] = []
        n = self.current_cut(t)
        for k in range(n, max(0, n - 2 * FAIL_EVERY), -1):
            p = self.plan(k)
            if p.rehearsal_end is not None and p.end <= t:
                auto = self._rehearsal(
                    t, p.end, p.rehearsal_end, f"rehearsal-m{p.number}", self.version(p), *AUTOMATIC
                )
                found.append((p.end, False, auto))
        for m in self.manual:
            start = self.offset(m.started_at)
            if start <= t:
                end = self.offset(m.ends_at)
                manual = self._rehearsal(t, start, end, m.run_id, m.release, m.actor, m.reason)
                found.append((start, True, manual))
        found.sort(key=lambda f: (f[0], f[1]), reverse=True)  # a tie: the manual one first
        return tuple(r for _, _, r in found[:RECENT])

    def rehearsal(self, t: float) -> Rehearsal | None:
        """The most recently started rehearsal (automatic or manual) as of offset t."""
        return next(iter(self.rehearsals(t)), None)

    def _rehearsal(
        self,
        t: float,
        start: float,
        end: float,
        run_id: str,
        release: str | None,
        actor: str,
        reason: str,
    ) -> Rehearsal:
        done = t >= end
        return Rehearsal(
            status=StageStatus.SUCCESS if done else StageStatus.RUNNING,
            finished_at=self._at(end) if done else None,
            run_id=run_id,
            started_at=self._at(start),
            release=release,
            actor=actor,
            reason=reason,
        )
