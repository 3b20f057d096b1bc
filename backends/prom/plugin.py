"""The `prometheus` backend, registered through the entry-point group like any other.

Importing this module costs pydantic only: the source module, prometheus-api-client and
requests are imported when the latency factory builds / first polls the source.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from backends.prom.options import PromOptions
from backends.registry import BackendContext, BackendPlugin


def _latency(options: BaseModel, ctx: BackendContext) -> Any:
    from backends.prom.source import PromLatency

    assert isinstance(options, PromOptions)
    return PromLatency(options, ctx)


plugin = BackendPlugin(
    name="prometheus",
    description="Latency pane from Prometheus: p99.9 per route, adaptive limits, cache ratios",
    factories={"latency": _latency},
    options_model=PromOptions,
)
