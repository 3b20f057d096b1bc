"""The release train, as a pure function of time.

Cut n starts at ``(n - 1 - LEAD_CUTS) * CUT_INTERVAL_S`` seconds after the origin (so the
train already has finished cuts when the simulation starts), its stage durations come
from an RNG seeded with (seed, n), and every ``FAIL_EVERY``-th cut fails at
"verify provenance". Nothing here depends on how time was advanced, so a resumed laptop
costs nothing. A successful cut is followed by a rollback rehearsal; manual rehearsals
(``trigger``) are the only state.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from backends.models import (
    PublishedRelease,
    Rehearsal,
    ReleaseAsset,
    ReleaseRun,
    ReleaseStage,
    StageStatus,
    Verification,
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

# The changelog bot groups by area (sprint plan REL-7103); these are the plan's items.
CHANGES: dict[str, tuple[str, ...]] = {
    "gateway": (
        "adaptive inflight limit follows the p99 rule (PERF4-7302)",
        "negative cache for 404s on `GET /docs/:id`, 30 s TTL (PERF4-7301)",
        "`GET /search` results cached 60 s, invalidated on index refresh",
    ),
    "access": (
        "ABAC decisions on service / tenant / data_class / region (ABAC-7001)",
        "break-glass grants carry a reason and a TTL capped at 4 h (ABAC-7002)",
        "decision-log dashboards and the deny-spike alert (ABAC-7003)",
    ),
    "release": (
        "cut job attaches SBOM and provenance (REL-7101)",
        "rollback rehearsal job on stage with evidence capture (REL-7102)",
    ),
    "resilience": (
        "client adaptive timeouts (NET-7402)",
        "mesh fault-injection manifests fenced off from prod (NET-7401)",
    ),
    "contracts": (
        "schema registry bootstrap (CON-7201)",
        "backward/forward compatibility gates in CI (CON-7202)",
    ),
}
POLICIES = ("abac/allow", "breakglass/decision", "faults/allow")

_V, _U, _M, _F = (
    Verification.VERIFIED,
    Verification.UNVERIFIED,
    Verification.MISSING,
    Verification.FAILED,
)


@dataclass(frozen=True, slots=True)
class CutPlan:
    n: int
    start: float
    bounds: tuple[tuple[float, float], ...]  # (start, end) offsets per stage that runs
    fails: bool
    end: float
    rehearsal_end: float | None  # the rollback rehearsal after a successful cut


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
        self.seed = seed
        self.origin = origin
        self._plans: dict[int, CutPlan] = {}
        self._finished: dict[int, ReleaseRun] = {}
        self._manual: deque[tuple[float, float, str]] = deque(maxlen=8)
        self._manual_count = 0

    def plan(self, n: int) -> CutPlan:
        p = self._plans.get(n)
        if p is None:
            rng = random.Random(f"{self.seed}:cut:{n}")
            start = (n - 1 - LEAD_CUTS) * CUT_INTERVAL_S
            fails = n % FAIL_EVERY == 0
            last = FAIL_STAGE if fails else len(STAGES) - 1
            bounds: list[tuple[float, float]] = []
            t = start
            for _ in range(last + 1):
                d = round(rng.uniform(*STAGE_S), 3)
                bounds.append((t, t + d))
                t += d
            reh = None if fails else t + round(rng.uniform(*REHEARSAL_S), 3)
            p = CutPlan(n, start, tuple(bounds), fails, t, reh)
            if len(self._plans) > 64:
                self._plans.clear()
            self._plans[n] = p
        return p

    def _at(self, off: float) -> datetime:
        return self.origin + timedelta(seconds=off)

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
        run = ReleaseRun(
            id=f"release-train-{n}",
            version=f"v{start_at:%Y.%m.%d}-m{n}",
            status=status,
            started_at=start_at,
            finished_at=self._at(p.end) if finished else None,
            stages=tuple(stages),
            artifacts=_artifacts(done, failed),
        )
        if finished:
            if len(self._finished) > 64:
                self._finished.clear()
            self._finished[n] = run
        return run

    def current_cut(self, t: float) -> int:
        return math.floor(t / CUT_INTERVAL_S) + 1 + LEAD_CUTS

    def snapshot(self, t: float) -> tuple[ReleaseRun, tuple[ReleaseRun, ...], Rehearsal | None]:
        n = self.current_cut(t)
        current = self.run(n, t)
        recent: list[ReleaseRun] = []
        k = n
        while len(recent) < RECENT and k >= 1:
            if t >= self.plan(k).end:
                recent.append(self.run(k, t))
            k -= 1
        return current, tuple(recent), self.rehearsal(t)

    def published(self, t: float) -> PublishedRelease | None:
        """The latest release as of offset t: the newest cut that finished green."""
        k = self.current_cut(t)
        while k >= 1 and k > self.current_cut(t) - 2 * FAIL_EVERY:
            p = self.plan(k)
            if p.end <= t and not p.fails:
                return self._release(k, p)
            k -= 1
        return None

    def _release(self, n: int, p: CutPlan) -> PublishedRelease:
        run = self.run(n, p.end)
        tag = run.version

        def digest(name: str) -> str:
            return "sha256:" + hashlib.sha256(f"{self.seed}:{n}:{name}".encode()).hexdigest()

        names = (f"watchfloor-{tag}.tar.gz", "checksums.txt", f"{tag}.intoto.jsonl")
        assets = tuple(
            ReleaseAsset(name=f, size=1000 + 97 * len(f) * (i + 1), digest=digest(f))
            for i, f in enumerate((*names, f"{tag}.spdx.json"))
        )
        rng = random.Random(f"{self.seed}:notes:{n}")
        areas = sorted(rng.sample(sorted(CHANGES), 3))
        lines = [
            f"## {tag}",
            "",
            f"Cut {run.started_at:%Y-%m-%d %H:%M}Z by the release train; "
            "rollback rehearsal follows on stage.",
        ]
        for area in areas:
            lines += ["", f"### {area}", ""]
            lines += [f"- {c}" for c in rng.sample(CHANGES[area], 2 if rng.random() < 0.5 else 1)]
        lines += ["", "### Digests", "", "| asset | digest |", "|---|---|"]
        lines += [f"| `{a.name}` | `{a.digest[:19]}…` |" for a in assets]
        lines += ["", "Policies enforced: " + ", ".join(f"`{x}`" for x in POLICIES) + "."]
        return PublishedRelease(
            tag=tag,
            name=tag,
            notes="\n".join(lines) + "\n",
            published_at=run.finished_at,
            assets=assets,
        )

    def trigger(self, t: float) -> str:
        """Start a manual rollback rehearsal at offset t; it succeeds some seconds later."""
        self._manual_count += 1
        rng = random.Random(f"{self.seed}:rehearsal:{self._manual_count}")
        run_id = f"rehearsal-manual-{self._manual_count}"
        self._manual.append((t, t + round(rng.uniform(*REHEARSAL_S), 3), run_id))
        return run_id

    def rehearsal(self, t: float) -> Rehearsal | None:
        """The most recently started rehearsal (automatic or manual) as of offset t."""
        best: tuple[float, float, str] | None = None
        k = self.current_cut(t)
        while k >= 1 and k > self.current_cut(t) - 4:
            p = self.plan(k)
            if p.rehearsal_end is not None and p.end <= t:
                best = (p.end, p.rehearsal_end, f"rehearsal-m{k}")
                break
            k -= 1
        for m in self._manual:
            if m[0] <= t and (best is None or m[0] >= best[0]):
                best = m
        if best is None:
            return None
        start, end, run_id = best
        if t < end:
            return Rehearsal(status=StageStatus.RUNNING, run_id=run_id, started_at=self._at(start))
        return Rehearsal(
            status=StageStatus.SUCCESS,
            finished_at=self._at(end),
            run_id=run_id,
            started_at=self._at(start),
        )
