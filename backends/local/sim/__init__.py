"""A deterministic simulation of the Sprint 35 platform: gateway, ABAC decisions, release train.

Pure logic: no I/O, no threads, no wall clock except the default ``start``. Time moves
only through ``advance_to``, in fixed ticks of ``tick_s`` on a grid anchored at the
simulation's origin (``PREFILL_S`` before ``start``, simulated at construction so every
pane has history at once). The state after a tick depends only on the seed, the ticks run
so far and the fault windows / rehearsal triggers given in between, not on how the
targets were chosen. The release train has its own origin (``train_origin``, by default
the simulation's): the local backend puts it where its store says, so every process on a
data dir shows the same train. Windows are one-second buckets: "the last 60 s" is the 60 buckets
ending with the current one, i.e. events in [now - 60 s, now) when now is a whole second
after ``start``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from backends.local.sim.decisions import DecisionEngine, DecisionHook
from backends.local.sim.faults import effects_at
from backends.local.sim.gateway import Effect, Gateway
from backends.local.sim.release import ManualRehearsal, ReleaseTrain
from backends.models import (
    AccessSnapshot,
    FaultWindow,
    HealthState,
    LatencySnapshot,
    ReleaseSnapshot,
    SourceHealth,
    WindowState,
)

__all__ = ["JUMP_S", "PREFILL_S", "SAMPLES_PER_S", "Simulator"]

PREFILL_S = (
    90  # simulated before start (and after a jump): fills the 60 s windows and 18 history points
)
JUMP_S = 300.0  # further ahead than this, advance_to jumps instead of simulating it all
SAMPLES_PER_S = 30.0  # latency samples per route per simulated second (1,800 per window)
HISTORY_BUCKET_S = 5

SampleHook = Callable[[str, datetime, float, bool], None]


class Simulator:
    """The platform the local backends show. See the module docstring for time semantics.

    Optional hooks (for ``watchfloor lab`` and tests), both None by default:
    ``decision_hook(decision)`` gets every decision; ``sample_hook(route, at, latency_ms,
    error)`` gets every simulated latency sample (a sampled subset of the route's requests).
    """

    def __init__(
        self,
        seed: int = 35,
        start: datetime | None = None,
        *,
        tick_s: float = 0.25,
        decisions_per_s: float = 40.0,
        train_origin: datetime | None = None,
    ) -> None:
        if start is None:
            start = datetime.now(UTC)
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if not 0 < tick_s <= 1:
            raise ValueError("tick_s must be in (0, 1]")
        if decisions_per_s < 0:
            raise ValueError("decisions_per_s must be >= 0")
        self.seed = seed
        self.tick_s = tick_s
        self.start = start.astimezone(UTC)
        self._origin = self.start - timedelta(seconds=PREFILL_S)
        self._k = 0  # ticks run; tick k simulates [k * tick_s, (k + 1) * tick_s)
        self._sec = 0  # current one-second bucket
        self.now = self._origin
        self.gateway = Gateway(seed, SAMPLES_PER_S)
        self.decisions = DecisionEngine(seed, self._origin, decisions_per_s)
        self.train = ReleaseTrain(seed, self._origin if train_origin is None else train_origin)
        self._faults: tuple[FaultWindow, ...] = ()
        self._sample_hook: SampleHook | None = None
        self._cache: dict[str, tuple[int, datetime, object]] = {}
        self._run_until(float(PREFILL_S))
        self.now = self.start

    # --- hooks -----------------------------------------------------------------------

    @property
    def decision_hook(self) -> DecisionHook | None:
        return self.decisions.hook

    @decision_hook.setter
    def decision_hook(self, hook: DecisionHook | None) -> None:
        self.decisions.hook = hook

    @property
    def sample_hook(self) -> SampleHook | None:
        return self._sample_hook

    @sample_hook.setter
    def sample_hook(self, hook: SampleHook | None) -> None:
        self._sample_hook = hook
        if hook is None:
            self.gateway.hook = None
            return
        origin = self._origin

        def relay(route: str, t: float, ms: float, err: bool) -> None:
            hook(route, origin + timedelta(seconds=t), ms, err)

        self.gateway.hook = relay

    # --- time --------------------------------------------------------------------------

    def _offset(self, t: datetime) -> float:
        return (t - self._origin).total_seconds()

    def advance_to(self, t: datetime) -> None:
        if t.tzinfo is None:
            raise ValueError("t must be timezone-aware")
        if t <= self.now:
            return
        target = self._offset(t)
        if target - self._k * self.tick_s > JUMP_S:
            self._jump(target)
        self._run_until(target)
        self.now = t.astimezone(UTC)

    def _jump(self, target: float) -> None:
        """Skip to PREFILL_S before target with empty windows; the caller simulates the rest."""
        self._k = math.ceil((target - PREFILL_S) / self.tick_s)
        self._sec = math.floor(self._k * self.tick_s)
        self.gateway.reset(self._sec)
        self.decisions.reset(self._sec)

    def _run_until(self, target: float) -> None:
        ts = self.tick_s
        gw, dec = self.gateway, self.decisions
        while (self._k + 1) * ts <= target + 1e-9:
            t0 = self._k * ts
            sec = math.floor(t0 + 1e-9)
            if sec != self._sec:
                prev, self._sec = self._sec, sec
                gw.end_second(t0, sec)
                dec.rotate_to(sec)
                if sec // HISTORY_BUCKET_S != prev // HISTORY_BUCKET_S:
                    gw.push_history()
                    dec.close_history_bucket()
            if self._faults or gw.hook is not None or dec.hook is not None:
                gw.step(t0, ts, self._effects(t0) if self._faults else {})
                dec.step(t0, ts)
                self._k += 1
                continue
            # no faults to look up and no hooks to interleave: the rest of this second's
            # ticks (up to target) in one call each, the same arithmetic tick by tick
            t0s = [t0]
            k = self._k + 1
            while (k + 1) * ts <= target + 1e-9 and math.floor(k * ts + 1e-9) == sec:
                t0s.append(k * ts)
                k += 1
            gw.step_plain(len(t0s), ts)
            dec.steps(t0s, ts)
            self._k = k

    # --- faults ---------------------------------------------------------------------------

    def set_faults(self, windows: Sequence[FaultWindow]) -> None:
        """The fault windows currently known; each tick applies those ACTIVE at its start."""
        self._faults = tuple(windows)

    def _effects(self, t0: float) -> dict[str, Effect]:
        at = self._origin + timedelta(seconds=t0)
        active = [w.state(at) is WindowState.ACTIVE for w in self._faults]
        return effects_at(self._faults, active) if any(active) else {}

    # --- snapshots ------------------------------------------------------------------------

    def _health(self) -> SourceHealth:
        return SourceHealth(state=HealthState.OK, last_ok_at=self.now, interval_s=1.0)

    def _cached(self, key: str) -> object | None:
        hit = self._cache.get(key)
        if hit is not None and hit[0] == self._k and hit[1] == self.now:
            return hit[2]
        return None

    def access(self) -> AccessSnapshot:
        hit = self._cached("access")
        if isinstance(hit, AccessSnapshot):
            return hit
        dec = self.decisions
        total, denied, rows = dec.rows()
        rate = denied / total if total else 0.0
        snap = AccessSnapshot(
            observed_at=self.now,
            health=self._health(),
            source="local",
            window_s=60.0,
            total=total,
            denied=denied,
            deny_rate=rate,
            baseline_rate=dec.baseline if dec.baseline is not None else rate,
            history=tuple(dec.history[0]),
            rows=rows,
            recent_denied=dec.recent_denied(),
            top_denials=dec.denial_kinds.top(),
        )
        self._cache["access"] = (self._k, self.now, snap)
        return snap

    def latency(self) -> LatencySnapshot:
        hit = self._cached("latency")
        if isinstance(hit, LatencySnapshot):
            return hit
        routes, cache = self.gateway.snapshot()
        snap = LatencySnapshot(
            observed_at=self.now,
            health=self._health(),
            source="local",
            window_s=60.0,
            routes=routes,
            cache=cache,
        )
        self._cache["latency"] = (self._k, self.now, snap)
        return snap

    def anchor_train(self, origin: datetime) -> None:
        """Run the release train from `origin` (where the store says the data dir's train
        started), keeping its manual rehearsals."""
        if origin != self.train.origin:
            manual = self.train.manual
            self.train = ReleaseTrain(self.seed, origin)
            self.train.manual = manual

    def release(self) -> ReleaseSnapshot:
        t = self.train.offset(self.now)
        current, recent = self.train.snapshot(t)
        rehearsals = self.train.rehearsals(t)
        return ReleaseSnapshot(
            observed_at=self.now,
            health=self._health(),
            source="local",
            current=current,
            recent=recent,
            rehearsal=rehearsals[0] if rehearsals else None,
            rehearsals=rehearsals,
            release=self.train.published(t),
        )

    def trigger_rehearsal(
        self, actor: str = "", reason: str = "", release: str | None = None
    ) -> ManualRehearsal:
        """Start a rollback rehearsal now, in memory; it succeeds 20-40 simulated seconds
        later. (The local backend records it in its store instead, for every process.)"""
        return self.train.trigger(self.train.offset(self.now), actor, reason, release)
