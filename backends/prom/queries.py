"""PromQL for the latency pane, and what the answers mean. Pure: no I/O.

p99.9 is Prometheus's own ``histogram_quantile`` over ``rate(<metric>_bucket[window])``
(classic) or ``rate(<metric>[window])`` (native). Alongside it, the per-bucket
``increase`` over the same window says how honest that number is: how many observations
it rests on, which bucket the quantile fell in (the true value lies somewhere in it), and
whether that was the +Inf bucket, where histogram_quantile answers the last finite bound
and the truth is only "more than that".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backends.prom.options import PromOptions
from backends.prom.template import render

_RE2_SPECIAL = set("\\.+*?()|[]{}^$")


def prom_duration(seconds: float) -> str:
    """A duration Prometheus's HTTP API parses: it takes float seconds ("0.5") or whole
    units ("500ms"), and refuses a fraction with a unit ("0.5s" is a 400)."""
    return f"{max(1, round(seconds * 1000))}ms"


_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def window_seconds(window: str) -> float:
    """Seconds in a PromQL duration of one whole unit ("90s", "5m"), the config's window."""
    for unit in ("ms", "s", "m", "h", "d"):
        if window.endswith(unit) and window[: -len(unit)].isdigit():
            return int(window[: -len(unit)]) * _UNITS[unit]
    raise ValueError(f"not a PromQL duration: {window!r}")


def routes_regex(routes: Iterable[str]) -> str:
    """An RE2 alternation matching exactly these label values, quoted for a PromQL string."""
    alts = ("".join("\\" + c if c in _RE2_SPECIAL else c for c in r) for r in routes)
    return "|".join(alts).replace("\\", "\\\\").replace('"', '\\"')


@dataclass(frozen=True)
class Queries:
    quantile: str
    buckets: str
    native_quantile: str
    native_count: str
    error_rate: str
    limit: str
    inflight: str
    blocked: str
    cache: str
    route_label: str
    adaptive_label: str
    unit_ms: float


def build(opts: PromOptions) -> Queries:
    p = opts.resolved()
    fmt = {
        "window": opts.window,
        "route_label": p.route_label,
        "adaptive_label": p.adaptive_label,
        "routes": routes_regex(opts.routes),
        "quantile": repr(opts.quantile),
    }
    sel = f'{{{p.route_label}=~"{fmt["routes"]}"}}'
    m, w, rl, q = p.latency_metric, opts.window, p.route_label, fmt["quantile"]
    hits, misses, layer = p.cache_hits_metric, p.cache_misses_metric, p.cache_layer_label
    hit_rate = f"sum by ({layer}) (rate({hits}[{w}]))"
    miss_rate = f"sum by ({layer}) (rate({misses}[{w}]))"
    return Queries(
        quantile=f"histogram_quantile({q}, sum by (le, {rl}) (rate({m}_bucket{sel}[{w}])))",
        buckets=f"sum by (le, {rl}) (increase({m}_bucket{sel}[{w}]))",
        native_quantile=f"histogram_quantile({q}, sum by ({rl}) (rate({m}{sel}[{w}])))",
        native_count=f"histogram_count(sum by ({rl}) (increase({m}{sel}[{w}])))",
        error_rate=render(p.error_rate_query, fmt),
        limit=render(p.limit_query, fmt),
        inflight=render(p.inflight_query, fmt),
        blocked=render(p.blocked_query, fmt),
        cache=f"{hit_rate} / ({hit_rate} + {miss_rate})",
        route_label=rl,
        adaptive_label=p.adaptive_label,
        unit_ms=p.latency_unit_ms,
    )


# --- answers -------------------------------------------------------------------------------


def _num(text: Any) -> float:
    return float(text)  # Prometheus sends "NaN", "+Inf", "-Inf" as strings float() reads


def by_label(result: Sequence[Mapping[str, Any]], label: str) -> dict[str, float]:
    """An instant vector -> {label value: value}."""
    out: dict[str, float] = {}
    for s in result:
        key = s.get("metric", {}).get(label)
        if key is not None:
            out[key] = _num(s["value"][1])
    return out


def buckets_by(
    result: Sequence[Mapping[str, Any]], label: str
) -> dict[str, list[tuple[float, float]]]:
    """``sum by (le, route) (increase(..._bucket[w]))`` -> per route, sorted (le, cumulative).

    Counts are made monotonic the way histogram_quantile does (a running maximum), since
    each bucket series is extrapolated on its own."""
    raw: dict[str, list[tuple[float, float]]] = {}
    for s in result:
        metric = s.get("metric", {})
        key, le = metric.get(label), metric.get("le")
        if key is None or le is None:
            continue
        raw.setdefault(key, []).append((_num(le), _num(s["value"][1])))
    out = {}
    for key, pairs in raw.items():
        pairs.sort()
        run = 0.0
        mono = []
        for le, c in pairs:
            run = max(run, c if not math.isnan(c) else 0.0)
            mono.append((le, run))
        out[key] = mono
    return out


@dataclass(frozen=True)
class Located:
    observations: float
    low: float  # the bucket's lower bound (0 for the first bucket)
    high: float  # its upper bound (inf for the +Inf bucket)

    @property
    def above_last_bucket(self) -> bool:
        return math.isinf(self.high)


def locate(buckets: Sequence[tuple[float, float]], q: float) -> Located | None:
    """The bucket the q-quantile falls in, by histogram_quantile's rule (rank = q * total,
    the first bucket whose cumulative count reaches it). None when there are no
    observations (or no +Inf bucket to count them)."""
    if not buckets or not math.isinf(buckets[-1][0]):
        return None
    total = buckets[-1][1]
    if total <= 0:
        return None
    rank = q * total
    low = 0.0
    for le, cum in buckets:
        if cum >= rank:
            if math.isinf(le):
                finite = [b for b, _ in buckets if not math.isinf(b)]
                low = finite[-1] if finite else 0.0
            return Located(observations=total, low=low, high=le)
        low = le
    return Located(observations=total, low=low, high=math.inf)
