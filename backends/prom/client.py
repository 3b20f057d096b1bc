"""Asking Prometheus: instant and range queries under the shared ClientPolicy.

prometheus-api-client is synchronous: these calls block, and the latency source runs
them in a worker thread. Each query goes through the ClientPolicy (backends.resilience):
the client timeout and Prometheus's own ``timeout`` parameter are its adaptive timeout,
within [0.5 s, timeout_s], and a 5xx or transport error is retried once within the retry
budget, after a jittered backoff (urllib3 never retries on its own). The client (and
requests) is imported by the first query, not with this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from backends.error_text import host_of
from backends.not_the_api import expecting
from backends.prom.queries import prom_duration
from backends.resilience import RETRY_STATUSES, ClientPolicy
from backends.transport_errors import blocking_timeout, blocking_transport

_STATUS = re.compile(r"HTTP Status Code (\d{3})")


def _retryable(exc: BaseException) -> bool:
    """A transport error, or prometheus-api-client's exception for a 5xx answer."""
    m = _STATUS.match(str(exc)) if type(exc).__name__ == "PrometheusApiClientException" else None
    return blocking_transport(exc) or (m is not None and int(m.group(1)) in RETRY_STATUSES)


class PromClient:
    """One Prometheus server's queries (blocking: call them from a worker thread)."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.policy = ClientPolicy.for_backend(timeout_s)  # this backend's own
        self._client: Any = None

    @property
    def where(self) -> str:
        """host:port of the Prometheus asked, for error messages."""
        return host_of(self.url)

    def _connect(self) -> Any:
        if self._client is None:
            from prometheus_api_client import PrometheusConnect
            from urllib3.util.retry import Retry

            # urllib3 never retries: the client policy decides what is worth another try
            self._client = PrometheusConnect(
                url=self.url.rstrip("/"),
                disable_ssl=True,
                timeout=self.timeout_s,  # requests takes float seconds
                retry=Retry(total=0, raise_on_status=False),
            )
        return self._client

    def _params(self, limit: float, ts: float | None = None) -> dict[str, str]:
        params = {"timeout": prom_duration(limit)}  # Prometheus gives up when we do
        if ts is not None:
            params["time"] = f"{ts:.3f}"
        return params

    def _call(self, fn: Callable[[float], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        return self.policy.call_sync(fn, retryable=_retryable, is_timeout=blocking_timeout)

    def query(self, promql: str, ts: float) -> list[dict[str, Any]]:
        """`promql` evaluated at `ts` (seconds since the epoch)."""

        def attempt(limit: float) -> list[dict[str, Any]]:
            with expecting("Prometheus"):
                result: list[dict[str, Any]] = self._connect().custom_query(
                    promql, params=self._params(limit, ts), timeout=limit
                )
            return result

        return self._call(attempt)

    def query_range(
        self, promql: str, start: datetime, end: datetime, step_s: int
    ) -> list[dict[str, Any]]:
        def attempt(limit: float) -> list[dict[str, Any]]:
            with expecting("Prometheus"):
                result: list[dict[str, Any]] = self._connect().custom_query_range(
                    promql,
                    start_time=start,
                    end_time=end,
                    step=f"{step_s}s",
                    params=self._params(limit),
                    timeout=limit,
                )
            return result

        return self._call(attempt)

    @property
    def connected(self) -> bool:
        return self._client is not None

    def close(self) -> None:
        """Blocking: the connection pool closed (a later query opens another)."""
        if self._client is not None:
            self._client.close()
            self._client = None
