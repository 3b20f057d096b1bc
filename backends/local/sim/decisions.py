"""OPA-like ABAC decisions over Attrs, counted in fixed-memory windows per attribute value.

The rules are policy/abac.rego's, mirrored in backends.local.sim.policy: admins are
allowed; otherwise the service must be registered, tenant and data_class must match the
request's, the region must be certified for the class and be the tenant's home for
confidential and restricted data, and the environment must hold the class (restricted
only in prod, confidential not in dev). Most traffic is placed where its data may be
served; a fraction leaks (``ENV_LEAK_P``, ``REGION_LEAK_P``) and is denied by the region
and environment rules. Baseline deny rate is about 7 %. Every ``SPIKE_PERIOD_S`` one
tenant (in turn) issues mostly cross-tenant requests for ``SPIKE_LEN_S``: a deny spike.
The reported baseline is the median of the 5 s deny rates over the trailing 10 minutes,
so spikes don't lift it. The attribute space (dimensions, window keys, what the policy
allows where) is in backends.local.sim.attr_space.
"""

from __future__ import annotations

import random
import statistics
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from math import floor

from backends.access_denials import DenialCounts, denial_key
from backends.local.sim.attr_space import (
    ATTR_OK,
    COMBO_KEYS,
    COMBOS,
    DATA_CLASSES,
    HELD,
    HOME_REGION,
    KEYS,
    N_DC,
    N_ENV,
    N_KEYS,
    N_REG,
    N_TEN,
    PROD,
    TENANTS,
    weight_table,
)
from backends.local.sim.attr_space import DIMENSIONS as DIMENSIONS
from backends.local.sim.policy import decide
from backends.local.sim.window import CounterWindow
from backends.models import Attrs, Decision, DenyRateRow

WINDOW_BUCKETS = 60
HISTORY_POINTS = 60
RECENT_DENIED = 50
RECENT_KEPT = 5000  # every decision, compactly, for a policy dry-run
HISTORY_BUCKET_S = 5
BASELINE_POINTS = 600 // HISTORY_BUCKET_S  # trailing 10 min of 5 s buckets
ADMIN_P = 0.02
DATA_CLASS_MISMATCH_P = 0.015
SPIKE_PERIOD_S = 180.0
SPIKE_START_S = 50.0  # phase within the period
SPIKE_LEN_S = 30.0
SPIKE_CROSS_P = 0.8
ENV_LEAK_P = 0.2  # data drawn for an environment that does not hold it stays there
REGION_LEAK_P = 0.12  # data drawn outside its certified / home regions stays there

SERVICE_CROSS_P = (0.02, 0.03, 0.03, 0.06)  # per service: cross-tenant request probability
Step = tuple[float, float, int, int]  # t0, dt, its decisions, decisions before it
Recent = tuple[Step, int, int, bool, int, int]  # see DecisionEngine.recent


class _Denial:
    """A denial as drawn, and its Decision once built."""

    __slots__ = ("decision", "item")

    def __init__(self, item: Recent, decision: Decision | None) -> None:
        self.item = item
        self.decision = decision


DecisionHook = Callable[[Decision], None]


def spike_tenant(t: float) -> str | None:
    """The tenant whose deny spike is on at offset t (seconds since origin), if any."""
    cycle, phase = divmod(t, SPIKE_PERIOD_S)
    if SPIKE_START_S <= phase < SPIKE_START_S + SPIKE_LEN_S:
        return TENANTS[int(cycle) % len(TENANTS)]
    return None


def _mix64(x: int) -> int:
    """splitmix64 finaliser: a deterministic, well-spread id from a counter."""
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


class DecisionEngine:
    def __init__(self, seed: int, origin: datetime, decisions_per_s: float) -> None:
        self.origin = origin
        self.rate = decisions_per_s
        self._rng = random.Random(f"{seed}:decisions")
        self._salt = _mix64(seed) << 1
        self._tables = tuple(weight_table(w) for _, _, w in DIMENSIONS)
        self.window = CounterWindow(N_KEYS, WINDOW_BUCKETS)
        self.history: list[deque[float]] = [deque(maxlen=HISTORY_POINTS) for _ in range(N_KEYS)]
        # the last denials, made Decisions only when shown: a 90 s prefill denies ~600
        self._denied: deque[_Denial] = deque(maxlen=RECENT_DENIED)
        # the window's denials by service and rule (the top denials), and each kind's
        # name by (COMBOS index, requested tenant, requested data_class): worked out once
        self.denial_kinds = DenialCounts(WINDOW_BUCKETS)
        self.denial_kinds.rotate_to(self.window.bucket)
        self._kinds: dict[int, str] = {}  # by (c * 4 + requested tenant) * 4 + data_class
        # (Step, index in it, COMBOS index, admin, requested tenant, requested data_class)
        self.recent: deque[Recent] = deque(maxlen=RECENT_KEPT)
        self._baseline_rates: deque[float] = deque(maxlen=BASELINE_POINTS)
        self.hook: DecisionHook | None = None
        self._acc = 0.0
        self._count = 0

    def reset(self, bucket: int) -> None:
        self.window.reset(bucket)
        self.denial_kinds = DenialCounts(WINDOW_BUCKETS)
        self.denial_kinds.rotate_to(bucket)
        for h in self.history:
            h.clear()
        self._baseline_rates.clear()

    def step(self, t0: float, dt: float) -> None:
        self.steps((t0,), dt)

    def steps(self, t0s: Sequence[float], dt: float) -> None:
        """step(t0, dt) for each t0 in turn, in one call."""
        t_svc, t_ten, t_dc, t_reg, t_env = self._tables
        tot, den = self.window.cur_total, self.window.cur_hits
        hook, rnd = self.hook, self._rng.random
        recent_append, denied_append = self.recent.append, self._denied.append
        kinds_now, kind_of = self.denial_kinds.current(), self._kinds.get
        for t0 in t0s:
            self._acc += self.rate * dt
            n = int(self._acc)
            self._acc -= n
            if n == 0:
                continue
            spike = spike_tenant(t0)
            spike_idx = -1 if spike is None else TENANTS.index(spike)
            step = (t0, dt, n, self._count)
            for i in range(n):
                s = t_svc[floor(rnd() * 1000)]  # floor(), not int(): the same here, and cheaper
                te = t_ten[floor(rnd() * 1000)]
                dc = t_dc[floor(rnd() * 1000)]
                rg = t_reg[floor(rnd() * 1000)]
                ev = t_env[floor(rnd() * 1000)]
                r_admin, r_cross, r_other, r_dc, r_dc_other = rnd(), rnd(), rnd(), rnd(), rnd()
                r_env, r_reg = rnd(), rnd()
                if not HELD[dc][ev] and r_env >= ENV_LEAK_P:
                    ev = PROD
                c = (((s * N_TEN + te) * N_DC + dc) * N_REG + rg) * N_ENV + ev  # in COMBOS
                if r_reg >= REGION_LEAK_P and not ATTR_OK[c]:
                    home = HOME_REGION[s, te, dc, ev]
                    if home >= 0:
                        c += (home - rg) * N_ENV  # the same combination, in the home region
                admin = r_admin < ADMIN_P
                cross_p = SPIKE_CROSS_P if te == spike_idx else SERVICE_CROSS_P[s]
                req_te = (te + 1 + int(r_other * 3)) % 4 if r_cross < cross_p else te
                req_dc = (dc + 1 + int(r_dc_other * 3)) % 4 if r_dc < DATA_CLASS_MISMATCH_P else dc
                allowed = admin or (req_te == te and req_dc == dc and ATTR_OK[c])
                k0, k1, k2, k3, k4, k5 = COMBO_KEYS[c]  # unrolled: cheaper than a loop
                tot[k0] += 1
                tot[k1] += 1
                tot[k2] += 1
                tot[k3] += 1
                tot[k4] += 1
                tot[k5] += 1
                if not allowed:
                    for k in (k0, k1, k2, k3, k4, k5):
                        den[k] += 1
                item = (step, i, c, admin, req_te, req_dc)
                recent_append(item)
                d = None if hook is None else self._decision(*item)
                if not allowed:
                    denied_append(_Denial(item, d))
                    kind = kind_of((c * 4 + req_te) * 4 + req_dc) or self._kind(c, req_te, req_dc)
                    kinds_now[kind] += 1
                if hook is not None and d is not None:
                    self._count = step[3] + i + 1  # all up to date before the hook runs
                    hook(d)
            self._count = step[3] + n

    def _decision(
        self, step: Step, i: int, c: int, admin: bool, req_te: int, req_dc: int
    ) -> Decision:
        t0, dt, n, before = step
        t = t0 + dt * i / n  # as the decision's time always was worked out
        values = {dim: vals[j] for (dim, vals, _), j in zip(DIMENSIONS, COMBOS[c], strict=True)}
        attrs = Attrs(role="admin" if admin else "user", **values)
        allowed, reason = decide(attrs, TENANTS[req_te], DATA_CLASSES[req_dc])
        return Decision(
            decision_id=f"{_mix64(self._salt ^ (before + i + 1)):016x}",
            timestamp=self.origin + timedelta(seconds=t),
            attrs=attrs,
            request_tenant=TENANTS[req_te],
            request_data_class=DATA_CLASSES[req_dc],
            allowed=allowed,
            reason=reason,
        )

    def _kind(self, c: int, req_te: int, req_dc: int) -> str:
        """What a user's denial of this combination and request counts under."""
        key = (c * 4 + req_te) * 4 + req_dc
        kind = self._kinds.get(key)
        if kind is None:
            values = {dim: vals[j] for (dim, vals, _), j in zip(DIMENSIONS, COMBOS[c], strict=True)}
            _, reason = decide(Attrs(**values), TENANTS[req_te], DATA_CLASSES[req_dc])
            kind = self._kinds[key] = denial_key(values["service"], reason)
        return kind

    def recent_denied(self) -> tuple[Decision, ...]:
        """The last RECENT_DENIED denials, newest first."""
        out = []
        for entry in reversed(self._denied):
            if entry.decision is None:
                entry.decision = self._decision(*entry.item)
            out.append(entry.decision)
        return tuple(out)

    def recent_decisions(self, limit: int) -> list[Decision]:
        """The last `limit` decisions (allowed and denied), oldest first."""
        items = list(self.recent)[-limit:] if limit > 0 else []
        return [self._decision(*item) for item in items]

    def rotate_to(self, bucket: int) -> None:
        self.window.rotate_to(bucket)
        self.denial_kinds.rotate_to(bucket)

    def close_history_bucket(self) -> None:
        """Push the deny rate of the last 5 one-second buckets to every key's history."""
        tot, den = self.window.last_closed(HISTORY_BUCKET_S)
        if tot[0] == 0:
            return
        for k in range(N_KEYS):
            if tot[k]:
                self.history[k].append(round(den[k] / tot[k], 4))
            else:
                self.history[k].append(0.0)
        self._baseline_rates.append(den[0] / tot[0])

    @property
    def baseline(self) -> float | None:
        """Median 5 s deny rate over the trailing 10 minutes, None before the first bucket."""
        if not self._baseline_rates:
            return None
        return statistics.median(self._baseline_rates)

    def rows(self) -> tuple[int, int, tuple[DenyRateRow, ...]]:
        tot, den = self.window.totals(), self.window.hits()
        rows = [
            DenyRateRow.of(dim, val, tot[k], den[k], self.history[k])
            for k, (dim, val) in enumerate(KEYS, start=1)
        ]
        rows.sort(key=lambda r: (-r.rate, -r.denied))
        return tot[0], den[0], tuple(rows)
