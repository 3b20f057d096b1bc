"""The `prometheus-access` backend: deny rates from counters of decisions by result.

The alternative to decision logs when only counters exist, for example Envoy's ext_authz
filter (`envoy_cluster_ext_authz_denied` / `_ok`) or an `opa_decisions_total{result=...}`.
Each poll asks Prometheus's HTTP API (/api/v1/query) for `increase()` over the window,
summed overall and by the label mapped to each ABAC dimension. Sparklines and the trailing
baseline are kept here, one point per poll, in fixed memory. Counters carry no single
decision, so this source has no drill-down and no dry-run.

Every query goes through the shared ClientPolicy: an adaptive timeout within
[0.5 s, timeout_s] (Prometheus is told the same limit), and a 5xx or transport error
retried once within the retry budget.

Importing this module is cheap; httpx is imported by the first poll.
"""

from __future__ import annotations

import asyncio
import re
import statistics
from collections import deque
from collections.abc import AsyncIterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from backends.error_text import host_of
from backends.models import ATTR_KEYS, AccessSnapshot, DenyRateRow, HealthState, SourceHealth
from backends.not_the_api import expecting
from backends.option_types import HttpUrl
from backends.polling import poll
from backends.prom.queries import prom_duration
from backends.registry import BackendContext, BackendPlugin
from backends.resilience import RETRY_STATUSES, ClientPolicy
from backends.transport_errors import httpx_timeout, httpx_transport

_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
HISTORY_POINTS = 60
BASELINE_POINTS = 120
MAX_KEYS = 256


class PromAccessOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: HttpUrl = "http://127.0.0.1:9090"
    # Either two counters (denied, allowed) ...
    denied_metric: str = "envoy_cluster_ext_authz_denied"
    allowed_metric: str = "envoy_cluster_ext_authz_ok"
    # ... or one counter with a result label (set `counter` to use this form).
    counter: str = ""
    result_label: str = "result"
    denied_values: tuple[str, ...] = ("deny", "denied")
    selector: str = ""  # extra label matchers, e.g. 'namespace="stage"'
    # ABAC dimension -> the Prometheus label that carries it.
    labels: dict[str, str] = Field(default_factory=lambda: {"service": "envoy_cluster_name"})
    window_s: int = Field(default=60, ge=10, le=86_400)
    poll_s: float = Field(default=5.0, gt=0, le=3600)
    timeout_s: float = Field(default=5.0, gt=0, le=120)  # the adaptive timeout's ceiling
    source_sampled: bool = False  # the counters count a sample of decisions

    @field_validator("labels")
    @classmethod
    def _dims(cls, v: dict[str, str]) -> dict[str, str]:
        for dim, label in v.items():
            if dim not in ATTR_KEYS:
                raise ValueError(f"unknown dimension {dim!r}; one of {', '.join(ATTR_KEYS)}")
            if not _LABEL.match(label):
                raise ValueError(f"not a Prometheus label name: {label!r}")
        return v

    def denied_expr(self) -> str:
        if self.counter:
            values = "|".join(re.escape(v) for v in self.denied_values)
            return self._sel(self.counter, f'{self.result_label}=~"{values}"')
        return self._sel(self.denied_metric)

    def other_expr(self) -> str:
        """Every decision (one counter by result), or the allowed ones (two counters)."""
        return self._sel(self.counter) if self.counter else self._sel(self.allowed_metric)

    def totals(self, denied: float, other: float) -> float:
        return other if self.counter else denied + other

    def _sel(self, metric: str, *matchers: str) -> str:
        parts = [m for m in (*matchers, self.selector) if m]
        return f"{metric}{{{', '.join(parts)}}}" if parts else metric

    def quiet_words(self, has_series: bool) -> str:
        """Why there is no rate: `no series envoy_cluster_ext_authz_denied or
        envoy_cluster_ext_authz_ok in Prometheus`, or that they did not increase."""
        exprs = " or ".join(dict.fromkeys((self.denied_expr(), self.other_expr())))
        if not has_series:
            return f"no series {exprs} in Prometheus"
        return f"no decisions in the last {self.window_s}s: {exprs} did not increase"

    def query(self, expr: str, by: str = "") -> str:
        group = f" by ({by})" if by else ""
        return f"sum{group} (increase({expr}[{self.window_s}s]))"


class PrometheusUnavailable(RuntimeError):
    """Prometheus answered 5xx: worth another try, within the retry budget."""


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, PrometheusUnavailable) or httpx_transport(exc)


class PromAccess:
    name = "prometheus-access"

    def __init__(self, options: PromAccessOptions, ctx: BackendContext) -> None:
        self.options = options
        self.ctx = ctx
        self.clock = ctx.clock
        self._client: Any = None
        self.client_policy = ClientPolicy.for_backend(options.timeout_s)
        self._history: dict[tuple[str, str], deque[float]] = {}
        self._baseline: deque[float] = deque(maxlen=BASELINE_POINTS)

    async def _query(self, promql: str, at: float) -> list[tuple[dict[str, str], float]]:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                base_url=self.options.url, timeout=self.options.timeout_s
            )
        client = self._client

        async def attempt(limit: float) -> Any:
            params = {"query": promql, "time": at, "timeout": prom_duration(limit)}
            resp = await client.get("/api/v1/query", params=params, timeout=limit)
            if resp.status_code in RETRY_STATUSES:
                raise PrometheusUnavailable(f"prometheus: HTTP {resp.status_code}")
            return resp

        resp = await self.client_policy.call(
            attempt, retryable=_retryable, is_timeout=httpx_timeout
        )
        with expecting("Prometheus"):  # not JSON, or not its shape: some other server
            body = resp.json()
            ok = body["status"] == "success"
        if resp.status_code != 200 or not ok:
            raise RuntimeError(f"prometheus: {body.get('error') or resp.status_code}")
        with expecting("Prometheus"):
            data = body["data"]
            kind = data["resultType"]
            if kind != "vector":
                raise RuntimeError(f"prometheus: expected a vector, got {kind}")
            return [(r.get("metric", {}), float(r["value"][1])) for r in data["result"]]

    def _push(self, key: tuple[str, str], rate: float) -> tuple[float, ...]:
        h = self._history.get(key)
        if h is None:
            if len(self._history) >= MAX_KEYS:
                return ()
            h = self._history[key] = deque(maxlen=HISTORY_POINTS)
        h.append(round(rate, 4))
        return tuple(h)

    async def snapshot(self) -> AccessSnapshot:
        o = self.options
        dims = list(o.labels.items())
        queries = [o.query(o.denied_expr()), o.query(o.other_expr())]
        for _, label in dims:
            queries += [o.query(o.denied_expr(), label), o.query(o.other_expr(), label)]
        at = self.clock.now().timestamp()  # one evaluation time: the counts agree
        results = await asyncio.gather(*(self._query(q, at) for q in queries))
        # increase() extrapolates: the counts are estimates, the rates come from the floats
        den_all = sum(v for _, v in results[0])
        tot_all = o.totals(den_all, sum(v for _, v in results[1]))
        denied, total = round(den_all), round(tot_all)
        rate = den_all / tot_all if tot_all > 0 else 0.0
        rows: list[DenyRateRow] = []
        for i, (dim, label) in enumerate(dims):
            den = _by(results[2 + 2 * i], label)
            other = _by(results[3 + 2 * i], label)
            for value in sorted(den.keys() | other.keys()):
                d = den.get(value, 0.0)
                t = o.totals(d, other.get(value, 0.0))
                if t <= 0:
                    continue
                t_n, d_n, r = round(t), round(d), d / t
                hist = self._push((dim, value), r)
                rows.append(
                    DenyRateRow(
                        dimension=dim, value=value, total=t_n, denied=d_n, rate=r, history=hist
                    )
                )
        rows.sort(key=DenyRateRow.worst_first_key)
        history = self._push(("all", "all"), rate) if total else ()
        baseline = statistics.median(self._baseline) if self._baseline else rate
        if total:
            self._baseline.append(rate)
        now = self.clock.now()
        health = SourceHealth(state=HealthState.OK, last_ok_at=now, interval_s=o.poll_s)
        if tot_all <= 0:  # nothing to take a rate of: not a 0 % one
            quiet = o.quiet_words(has_series=bool(results[0] or results[1]))
            health = health.model_copy(update={"state": HealthState.NO_DATA, "last_error": quiet})
        return AccessSnapshot(
            observed_at=now,
            health=health,
            source=self.name,
            window_s=float(o.window_s),
            total=total,
            denied=denied,
            deny_rate=rate,
            baseline_rate=baseline,
            history=history,
            rows=tuple(rows),
            sampled=o.source_sampled,
        )

    def watch(self) -> AsyncIterator[AccessSnapshot]:
        return poll(
            AccessSnapshot,
            self.snapshot,
            source=self.name,
            interval_s=self.options.poll_s,
            clock=self.clock,
            where=host_of(self.options.url),  # what is not a client's error does not say
        )

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def _by(result: list[tuple[dict[str, str], float]], label: str) -> Mapping[str, float]:
    out: dict[str, float] = {}
    for metric, value in result:
        key = metric.get(label) or "?"
        out[key] = out.get(key, 0.0) + value
    return out


def _access(options: BaseModel, ctx: BackendContext) -> Any:
    assert isinstance(options, PromAccessOptions)
    return PromAccess(options, ctx)


plugin = BackendPlugin(
    name="prometheus-access",
    description="ABAC deny rates from Prometheus counters of decisions by result",
    factories={"access": _access},
    options_model=PromAccessOptions,
)
