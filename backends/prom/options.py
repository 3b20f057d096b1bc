"""Options of the `prometheus` backend ([backends.prometheus] in the config), and presets.

A preset names the metrics of one adaptive-concurrency implementation; any single name or
query can be overridden in the config. Query templates may use {window}, {route_label},
{adaptive_label}, {routes} (a regex matching the configured routes) and {quantile}; every
other brace is PromQL's own, so a query pasted from Prometheus works as it is (a doubled
brace, str.format's escape, reads as one: backends/prom/template.py).

`slo_ms` is laid over the SLOs of the default routes: naming one route keeps the others'.
A route it names must be one of `routes` (a typo silently gave both routes default_slo_ms).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from backends.option_types import HttpUrl, Options
from backends.prom.template import template_problem


class Preset(Options):
    latency_metric: str  # a histogram: <name>_bucket (classic) or <name> (native)
    latency_unit_ms: float  # milliseconds per unit of the histogram (1000 for seconds)
    route_label: str
    adaptive_label: str
    limit_query: str
    inflight_query: str
    blocked_query: str
    error_rate_query: str  # "" when the preset has no error metric
    cache_hits_metric: str
    cache_misses_metric: str
    cache_layer_label: str = "layer"


_SEL = '{{{adaptive_label}=~"{routes}"}}'  # a selector on the adaptive label, templated
_ERR_SEL = '{{{route_label}=~"{routes}"}}'


def _by(agg: str, expr: str) -> str:
    return f"{agg} by ({{adaptive_label}}) ({expr})"


PRESETS: dict[str, Preset] = {
    # what `watchfloor lab` serves by default
    "watchfloor": Preset(
        latency_metric="watchfloor_request_duration_seconds",
        latency_unit_ms=1000.0,
        route_label="route",
        adaptive_label="route",
        limit_query=_by("max", "watchfloor_adaptive_concurrency_limit" + _SEL),
        inflight_query=_by("sum", "watchfloor_inflight_requests" + _SEL),
        blocked_query=_by("sum", "watchfloor_blocked_requests" + _SEL),
        error_rate_query=(
            "sum by ({route_label}) (rate(watchfloor_request_errors_total"
            + _ERR_SEL
            + "[{window}])) / sum by ({route_label}) "
            "(rate(watchfloor_request_duration_seconds_count" + _ERR_SEL + "[{window}]))"
        ),
        cache_hits_metric="watchfloor_cache_hits_total",
        cache_misses_metric="watchfloor_cache_misses_total",
    ),
    # Envoy: the adaptive_concurrency HTTP filter's gradient controller limit and its
    # rq_blocked counter, the connection manager's downstream_rq_active, and the upstream
    # request time histogram (milliseconds). Envoy exports counters without _total.
    "envoy": Preset(
        latency_metric="envoy_cluster_upstream_rq_time",
        latency_unit_ms=1.0,
        route_label="envoy_cluster_name",
        adaptive_label="envoy_http_conn_manager_prefix",
        limit_query=_by(
            "max", "envoy_http_adaptive_concurrency_gradient_controller_concurrency_limit" + _SEL
        ),
        inflight_query=_by("sum", "envoy_http_downstream_rq_active" + _SEL),
        blocked_query=_by(
            "sum", "rate(envoy_http_adaptive_concurrency_rq_blocked" + _SEL + "[{window}])"
        ),
        error_rate_query=(
            "sum by ({route_label}) (rate(envoy_cluster_upstream_rq_xx"
            '{{{route_label}=~"{routes}",envoy_response_code_class="5"}}[{window}]))'
            " / sum by ({route_label}) (rate(envoy_cluster_upstream_rq_xx"
            + _ERR_SEL
            + "[{window}]))"
        ),
        cache_hits_metric="watchfloor_cache_hits_total",
        cache_misses_metric="watchfloor_cache_misses_total",
    ),
    # Netflix concurrency-limits: MetricIds "limit", "inflight" and the "call" counter
    # with status rejected/dropped, exported with a concurrency_limits_ prefix and the
    # limiter's id as a tag (as a Micrometer Prometheus registry names them).
    "netflix": Preset(
        latency_metric="watchfloor_request_duration_seconds",
        latency_unit_ms=1000.0,
        route_label="route",
        adaptive_label="id",
        limit_query=_by("max", "concurrency_limits_limit" + _SEL),
        inflight_query=_by("sum", "concurrency_limits_inflight" + _SEL),
        blocked_query=_by(
            "sum",
            'rate(concurrency_limits_call_total{{{adaptive_label}=~"{routes}",'
            'status=~"rejected|dropped"}}[{window}])',
        ),
        error_rate_query="",
        cache_hits_metric="watchfloor_cache_hits_total",
        cache_misses_metric="watchfloor_cache_misses_total",
    ),
}

_DURATION = re.compile(r"^\d+(ms|s|m|h|d)$")
DEFAULT_SLO_MS = {"GET /docs/:id": 250.0, "GET /search": 400.0}


class PromOptions(Options):
    url: HttpUrl = "http://127.0.0.1:9090"
    timeout_s: float = Field(default=3.0, gt=0, le=60)  # ceiling of the adaptive timeout
    window: str = "1m"  # the rate() window p99.9, errors and cache ratios are computed over
    routes: tuple[str, ...] = ("GET /docs/:id", "GET /search")
    slo_ms: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SLO_MS))
    default_slo_ms: float = Field(default=300.0, gt=0)
    preset: Literal["watchfloor", "envoy", "netflix"] = "watchfloor"
    histogram: Literal["auto", "classic", "native"] = "auto"
    quantile: float = Field(default=0.999, gt=0, lt=1)
    # evaluate this long before now: a scrape is stamped when it starts and lands when it
    # ends, so "now" could still change under an answer (and disagree with a re-ask)
    eval_lag_s: float = Field(default=1.0, ge=0, le=60)
    # overrides of the preset (empty: the preset's)
    latency_metric: str = ""
    latency_unit_ms: float = Field(default=0.0, ge=0)
    route_label: str = ""
    adaptive_label: str = ""
    limit_query: str = ""
    inflight_query: str = ""
    blocked_query: str = ""
    error_rate_query: str = ""
    cache_hits_metric: str = ""
    cache_misses_metric: str = ""
    cache_layers: tuple[str, ...] = ("edge", "app", "db")
    # the history plot: one query_range over the last `history_s`, refreshed this often
    history_s: int = Field(default=3600, ge=60, le=7 * 86400)
    history_step_s: int = Field(default=60, ge=1)
    history_every_s: float = Field(default=30.0, ge=1)

    @field_validator("window")
    @classmethod
    def _window(cls, v: str) -> str:
        if not _DURATION.match(v):
            raise ValueError("a PromQL duration such as 30s, 1m, 5m")
        return v

    @field_validator("slo_ms")
    @classmethod
    def _slo_ms(cls, v: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        routes = info.data.get("routes")
        if routes is not None:  # None: routes itself is wrong, and said so
            unknown = [r for r in v if r not in routes]
            if unknown:
                names = ", ".join(repr(r) for r in unknown)
                raise ValueError(
                    f"{'no route' if len(unknown) == 1 else 'no routes'} {names} in routes; "
                    f"the routes are: {', '.join(repr(r) for r in routes) or 'none'}"
                )
        kept = {r: ms for r, ms in DEFAULT_SLO_MS.items() if routes is None or r in routes}
        return {**kept, **v}

    @field_validator("limit_query", "inflight_query", "blocked_query", "error_rate_query")
    @classmethod
    def _template(cls, v: str) -> str:
        problem = template_problem(v)
        if problem:
            raise ValueError(problem)
        return v

    def resolved(self) -> Preset:
        """The preset with this config's overrides applied."""
        base = PRESETS[self.preset]
        over = {
            k: getattr(self, k)
            for k in Preset.model_fields
            if k in PromOptions.model_fields and getattr(self, k)
        }
        return base.model_copy(update=over)

    def slo_for(self, route: str) -> float:
        return self.slo_ms.get(route, self.default_slo_ms)
