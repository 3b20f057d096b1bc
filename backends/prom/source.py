"""The Prometheus latency source: p99.9, adaptive limits and cache ratios per poll.

prometheus-api-client is synchronous, so every poll runs its queries in one worker thread
(asyncio.to_thread), all evaluated at one instant (``time=``) so they describe the same
moment. How each query is sent, timed out and retried: backends.prom.client. The client
(and requests) is imported when the first poll starts, not with this module.

If the p99.9 queries fail the poll fails: ``backends.polling.poll`` keeps the last data
with error health. A failing auxiliary query (limit, inflight, blocked, errors, cache,
history) only blanks its own figures and is named in ``health.last_error``.

A Prometheus that answers with nothing to compute from (no series: the scraped target is
dead or the routes are misnamed; or no requests in the window) is not an ok source with
0.00 % errors: the health is NO_DATA and says since when, and a route's error rate with
no series or NaN (0/0) is unknown (None), not 0.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from backends.models import (
    CacheLayer,
    HealthState,
    LatencySnapshot,
    RouteLatency,
    RouteState,
    SourceHealth,
)
from backends.polling import describe_error, poll
from backends.prom.client import PromClient
from backends.prom.options import PromOptions
from backends.prom.queries import (
    Located,
    buckets_by,
    build,
    by_label,
    locate,
    window_seconds,
)
from backends.registry import BackendContext


def _finite(v: float | None) -> float | None:
    return v if v is not None and math.isfinite(v) else None


class PromLatency:
    name = "prometheus"

    def __init__(self, options: PromOptions, ctx: BackendContext) -> None:
        self.opts = options
        self.ctx = ctx
        self.q = build(options)
        self.client = PromClient(options.url, options.timeout_s)
        self.client_policy = self.client.policy  # this backend's own
        self._history: dict[str, tuple[float, ...]] = {}
        self._history_at: datetime | None = None
        self._data_at: datetime | None = None  # the last poll with a p99.9 value

    @property
    def where(self) -> str:
        """host:port of the Prometheus this source asks, for its error messages."""
        return self.client.where

    # --- one poll -------------------------------------------------------------------------

    def fetch(self, at: datetime, polled_at: datetime | None = None) -> LatencySnapshot:
        """Every query of one poll, evaluated at `at` (blocking; run in a thread).
        `observed_at` is `at`, what the numbers describe; `last_ok_at` is `polled_at`."""
        ts = round(at.timestamp(), 3)
        at = datetime.fromtimestamp(ts, UTC)
        opts, q, rl = self.opts, self.q, self.q.route_label
        quant: dict[str, float] = {}
        located: dict[str, Located | None] = {}
        native: dict[str, float] = {}
        if opts.histogram in ("auto", "classic"):
            quant = by_label(self.client.query(q.quantile, ts), rl)
            buckets = buckets_by(self.client.query(q.buckets, ts), rl)
            located = {r: locate(b, opts.quantile) for r, b in buckets.items()}
        missing = [r for r in opts.routes if r not in located]
        if opts.histogram == "native" or (opts.histogram == "auto" and missing):
            counts = by_label(self.client.query(q.native_count, ts), rl)
            nq = by_label(self.client.query(q.native_quantile, ts), rl)
            for r, n in counts.items():
                if r not in located:
                    native[r] = n
                    quant[r] = nq.get(r, math.nan)

        errors: list[str] = []

        def aux(what: str, promql: str, label: str) -> dict[str, float]:
            if not promql:
                return {}
            try:
                return by_label(self.client.query(promql, ts), label)
            except Exception as exc:  # one figure blank, the pane goes on
                errors.append(f"{what} query failed: {describe_error(exc, self.where)}")
                return {}

        al = q.adaptive_label
        err_rate = aux("error rate", q.error_rate, rl)
        limit, inflight = aux("limit", q.limit, al), aux("inflight", q.inflight, al)
        blocked = aux("blocked", q.blocked, al)
        cache = aux("cache", q.cache, opts.resolved().cache_layer_label)
        self._refresh_history(at, bool(native) and not located, errors)

        routes = tuple(
            self._route(
                r,
                quant.get(r),
                located.get(r),
                native.get(r),
                err_rate.get(r),
                limit.get(r),
                inflight.get(r),
                blocked.get(r),
            )
            for r in opts.routes
        )
        layers = tuple(
            CacheLayer(layer=layer, hit_ratio=round(v, 4))
            for layer in opts.cache_layers
            if (v := _finite(cache.get(layer))) is not None
        )
        kind = "native histograms" if native and not located else "classic buckets"
        health = SourceHealth(
            state=HealthState.OK,
            last_ok_at=polled_at or at,
            interval_s=self.ctx.interval_s,
            last_error="; ".join(errors) or None,
        )
        if routes and all(r.state is RouteState.NO_DATA for r in routes):
            health = health.model_copy(
                update={
                    "state": HealthState.NO_DATA,
                    "last_error": "; ".join([self.quiet_words(), *errors]),
                    "last_data_at": self._data_at,
                }
            )
        else:
            self._data_at = at
        return LatencySnapshot(
            observed_at=at,
            health=health,
            source=self.name,
            window_s=window_seconds(opts.window),
            routes=routes,
            cache=layers,
            history_step_s=float(opts.history_step_s),
            method=f"histogram_quantile({opts.quantile:g}) over {opts.window}, {kind}",
        )

    def quiet_words(self) -> str:
        """Why no route has a p99.9: `no requests observed on these routes in the last 1m
        since 04:18:38Z` (the last poll with a value), or without one since start."""
        since = self._data_at
        at = f" since {since.astimezone(UTC):%H:%M:%S}Z" if since is not None else ""
        return f"no requests observed on these routes in the last {self.opts.window}{at}"

    def _route(
        self,
        route: str,
        value: float | None,
        loc: Located | None,
        native_count: float | None,
        error_rate: float | None,
        limit: float | None,
        inflight: float | None,
        blocked: float | None,
    ) -> RouteLatency:
        unit = self.q.unit_ms
        common: dict[str, Any] = {
            "route": route,
            "slo_ms": self.opts.slo_for(route),
            "error_rate": self._error_rate(error_rate, loc, native_count),
            "limit": _finite(limit),
            "inflight": _finite(inflight),
            "blocked": _finite(blocked) or 0.0,
            "history": self._history.get(route, ()),
        }
        if native_count is not None and loc is None:  # a native histogram
            n = _finite(native_count) or 0.0
            v = _finite(value)
            if n <= 0 or v is None:
                return RouteLatency(
                    p999_ms=None, observations=0, state=RouteState.NO_DATA, **common
                )
            return RouteLatency(p999_ms=round(v * unit, 3), observations=round(n), **common)
        if loc is None:  # no series, or no observations in the window
            return RouteLatency(p999_ms=None, observations=0, state=RouteState.NO_DATA, **common)
        v = _finite(value)
        if v is None:
            return RouteLatency(
                p999_ms=None,
                observations=round(loc.observations),
                state=RouteState.ERROR,
                error="histogram_quantile gave no value for observed buckets",
                **common,
            )
        high = None if loc.above_last_bucket else round(loc.high * unit, 3)
        return RouteLatency(
            p999_ms=round(v * unit, 3),
            observations=round(loc.observations),
            above_last_bucket=loc.above_last_bucket,
            p999_low_ms=round(loc.low * unit, 3),
            p999_high_ms=high,
            **common,
        )

    def _error_rate(
        self, value: float | None, loc: Located | None, native_count: float | None
    ) -> float | None:
        """The route's error rate; None when unknown: no requests in the window (no
        series, or NaN: 0/0), or no error query. A route with requests and no error series
        (a 5xx counter not there until the first 5xx) has none: 0."""
        v = _finite(value)
        if v is not None or not self.q.error_rate:
            return v
        requests = loc is not None or (_finite(native_count) or 0.0) > 0
        return 0.0 if requests else None

    def _refresh_history(self, at: datetime, native: bool, errors: list[str]) -> None:
        due = self._history_at is None or (at - self._history_at).total_seconds() >= (
            self.opts.history_every_s
        )
        if not due:
            return
        promql = self.q.native_quantile if native else self.q.quantile
        try:
            result = self.client.query_range(
                promql, at - timedelta(seconds=self.opts.history_s), at, self.opts.history_step_s
            )
        except Exception as exc:
            errors.append(f"history query failed: {describe_error(exc, self.where)}")
            return
        hist: dict[str, tuple[float, ...]] = {}
        for s in result:
            route = s.get("metric", {}).get(self.q.route_label)
            if route is None:
                continue
            vals = (float(v) for _, v in s.get("values", []))
            hist[route] = tuple(round(v * self.q.unit_ms, 1) for v in vals if math.isfinite(v))
        self._history = hist
        self._history_at = at

    # --- the contract -----------------------------------------------------------------------

    async def snapshot(self) -> LatencySnapshot:
        now = self.ctx.clock.now()
        at = now - timedelta(seconds=self.opts.eval_lag_s)
        return await asyncio.to_thread(self.fetch, at, now)

    def watch(self) -> AsyncIterator[LatencySnapshot]:
        return poll(
            LatencySnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.ctx.interval_s,
            clock=self.ctx.clock,
            where=self.where,  # prometheus-api-client's HTTP errors do not name the host
        )

    async def aclose(self) -> None:
        if self.client.connected:
            await asyncio.to_thread(self.client.close)
