"""The lab's Prometheus metrics: the simulator served with prometheus_client on a port.

Per route: a request duration histogram with classic buckets (seconds), errors, the
adaptive inflight limit, inflight and blocked requests; per cache layer (edge / app / db):
hits and misses. Metric names follow one of the adaptive-concurrency naming styles the
Prometheus adapter has presets for (backends.prom.options.PRESETS), so each preset can be
tried against a real Prometheus: `watchfloor` (default), `envoy`, `netflix`.

Each sample counts as one lookup in every cache layer, split between hits and misses by
the layer's current hit ratio (counters take fractions), so rate(hits) / rate(lookups)
over a window is the simulator's hit ratio averaged over that window. Blocked requests are
a gauge in the `watchfloor` style; the Envoy and Netflix styles have counters, which the
lab advances by the simulator's blocked figure each second.

prometheus_client is imported when the publisher starts, not with this module.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backends.lab import Publisher
from backends.local.sim import Simulator

DEFAULT_BUCKETS_S: tuple[float, ...] = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.15,
    0.2,
    0.25,
    0.3,
    0.4,
    0.5,
    0.75,
    1.0,
    1.5,
    2.5,
    5.0,
)
LAYERS = ("edge", "app", "db")


@dataclass(frozen=True)
class Style:
    route_label: str
    limit: str  # gauge
    inflight: str  # gauge
    blocked: str  # gauge (watchfloor) or counter (envoy, netflix)
    blocked_is_counter: bool


STYLES: dict[str, Style] = {
    "watchfloor": Style(
        "route",
        "watchfloor_adaptive_concurrency_limit",
        "watchfloor_inflight_requests",
        "watchfloor_blocked_requests",
        False,
    ),
    # Envoy's adaptive_concurrency filter (http.<prefix>.adaptive_concurrency.*) and the
    # connection manager's active requests, as Envoy's Prometheus endpoint names them
    "envoy": Style(
        "envoy_http_conn_manager_prefix",
        "envoy_http_adaptive_concurrency_gradient_controller_concurrency_limit",
        "envoy_http_downstream_rq_active",
        "envoy_http_adaptive_concurrency_rq_blocked",
        True,
    ),
    # Netflix concurrency-limits MetricIds ("limit", "inflight", "call" with a status tag)
    # under a concurrency_limits_ prefix, tagged with the limiter's id
    "netflix": Style(
        "id",
        "concurrency_limits_limit",
        "concurrency_limits_inflight",
        "concurrency_limits_call",
        True,
    ),
}


class MetricsPublisher(Publisher):
    name = "metrics"

    def __init__(
        self,
        port: int,
        *,
        host: str = "127.0.0.1",
        buckets_s: tuple[float, ...] = DEFAULT_BUCKETS_S,
        style: str = "watchfloor",
        prefix: str = "watchfloor",
    ) -> None:
        if style not in STYLES:
            raise ValueError(f"unknown style {style!r}; choose from {', '.join(STYLES)}")
        self.host = host
        self.port = port  # the real port once started (0 picks a free one)
        self.buckets_s = buckets_s
        self.style = STYLES[style]
        self.prefix = prefix
        self._sim: Simulator | None = None
        self._server: Any = None
        self._m: dict[str, Any] = {}
        self._last_blocked_s: float | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/metrics"

    async def start(self, sim: Simulator) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
        from prometheus_client.exposition import start_http_server

        self._sim = sim
        reg = CollectorRegistry()
        st, p = self.style, self.prefix
        rl = st.route_label
        self._m = {
            "duration": Histogram(
                f"{p}_request_duration_seconds",
                "Request duration at the gateway, per route (simulated)",
                [rl],
                buckets=self.buckets_s,
                registry=reg,
            ),
            "errors": Counter(
                f"{p}_request_errors", "Requests that failed, per route", [rl], registry=reg
            ),
            "limit": Gauge(st.limit, "Adaptive inflight limit", [rl], registry=reg),
            "inflight": Gauge(st.inflight, "Requests in flight", [rl], registry=reg),
            "hits": Counter(f"{p}_cache_hits", "Cache hits per layer", ["layer"], registry=reg),
            "misses": Counter(
                f"{p}_cache_misses", "Cache misses per layer", ["layer"], registry=reg
            ),
        }
        if st.blocked == "concurrency_limits_call":  # a counter: _total, status tag
            self._m["blocked"] = Counter(
                st.blocked, "Calls by outcome", [rl, "status"], registry=reg
            )
        elif st.blocked_is_counter:  # Envoy exports counters without a _total suffix
            self._m["blocked"] = Gauge(
                st.blocked, "Requests blocked by the adaptive limit (counter)", [rl], registry=reg
            )
        else:
            self._m["blocked"] = Gauge(
                st.blocked, "Requests over the adaptive limit", [rl], registry=reg
            )
        for r in sim.gateway.routes:  # every series exists from the first scrape on
            self._m["duration"].labels(r.name)
            self._m["errors"].labels(r.name)
        for layer in LAYERS:
            self._m["hits"].labels(layer)
            self._m["misses"].labels(layer)
        self._server, _ = start_http_server(self.port, addr=self.host, registry=reg)
        self.port = int(self._server.server_port)
        self.on_tick(sim)

    def on_sample(self, route: str, at: datetime, latency_ms: float, error: bool) -> None:
        if not self._m or self._sim is None:
            return
        self._m["duration"].labels(route).observe(latency_ms / 1000.0)
        if error:
            self._m["errors"].labels(route).inc()
        hits, misses = self._m["hits"], self._m["misses"]
        for layer, ratio in zip(LAYERS, self._sim.gateway.cache, strict=True):
            hits.labels(layer).inc(ratio)
            misses.labels(layer).inc(1.0 - ratio)

    def on_tick(self, sim: Simulator) -> None:
        if not self._m:
            return
        now_s = sim.now.timestamp()
        elapsed = 0.0 if self._last_blocked_s is None else now_s - self._last_blocked_s
        self._last_blocked_s = now_s
        st = self.style
        for r in sim.gateway.routes:
            self._m["limit"].labels(r.name).set(r.limit)
            self._m["inflight"].labels(r.name).set(r.inflight)
            blocked = self._m["blocked"]
            if not st.blocked_is_counter:
                blocked.labels(r.name).set(r.blocked)
                continue
            series = (
                blocked.labels(r.name, "rejected")
                if st.blocked == "concurrency_limits_call"
                else blocked.labels(r.name)
            )
            if elapsed > 0 and r.blocked > 0:
                series.inc(r.blocked * elapsed)

    async def aclose(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            await asyncio.to_thread(server.shutdown)  # waits for serve_forever's next poll
            server.server_close()
