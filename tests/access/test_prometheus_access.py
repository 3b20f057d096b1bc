"""The prometheus-access source against a real Prometheus scraping Envoy-style counters."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from backends.models import HealthState
from backends.prometheus_access import PromAccess, PromAccessOptions
from backends.registry import BackendContext
from tests.access.broker import free_port, wait_port

# per scrape: (cluster, denied increment, ok increment)
STEPS = (("docs-api", 1, 3), ("search-api", 2, 2), ("billing", 0, 5))
# Counters that started long ago: increase() then extrapolates every series alike, so the
# ratios of increases are the ratios of the steps.
OFFSET = 1_000_000


class EnvoyStats:
    """An Envoy /stats/prometheus stand-in whose counters grow by STEPS on each scrape."""

    def __init__(self) -> None:
        self.scrapes = 0
        self.lock = threading.Lock()

    def body(self) -> bytes:
        with self.lock:
            self.scrapes += 1
            n = self.scrapes
        lines = ["# TYPE envoy_cluster_ext_authz_denied counter"]
        lines += [
            f'envoy_cluster_ext_authz_denied{{envoy_cluster_name="{c}"}} {OFFSET + d * n}'
            for c, d, _ in STEPS
        ]
        lines.append("# TYPE envoy_cluster_ext_authz_ok counter")
        lines += [
            f'envoy_cluster_ext_authz_ok{{envoy_cluster_name="{c}"}} {OFFSET + o * n}'
            for c, _, o in STEPS
        ]
        return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("prometheus")
    if exe is None:
        pytest.fail("prometheus is not installed (see .ci/system-deps.sh)")
    stats = EnvoyStats()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = stats.body()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = tmp_path_factory.mktemp("prom")
    port = free_port()
    (tmp / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: envoy\n"
        "    metrics_path: /stats/prometheus\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{server.server_address[1]}']}}]\n"
    )
    proc = subprocess.Popen(
        [
            exe,
            f"--config.file={tmp / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port, up=True, within=20)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        server.shutdown()


async def test_deny_rates_from_envoy_ext_authz_counters(prometheus: str, tmp_path: Path) -> None:
    opts = PromAccessOptions(url=prometheus, window_s=30, poll_s=0.2)
    src = PromAccess(opts, BackendContext(data_dir=tmp_path))
    try:
        for _ in range(150):  # Prometheus needs two scrapes for increase()
            snap = await src.snapshot()
            if snap.total > 0 and len(snap.rows) == 3:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("no counters after 15 s")
    finally:
        await src.aclose()
    assert snap.health.state is HealthState.OK
    den = sum(d for _, d, _ in STEPS)
    tot = sum(d + o for _, d, o in STEPS)
    assert snap.deny_rate == pytest.approx(den / tot, rel=1e-6)
    rates = {r.value: r.rate for r in snap.rows}
    assert rates == pytest.approx({c: d / (d + o) for c, d, o in STEPS}, rel=1e-6)
    assert [r.value for r in snap.rows] == ["search-api", "docs-api", "billing"]
    assert all(r.dimension == "service" for r in snap.rows)


async def test_no_such_series_is_no_data_not_a_healthy_zero(
    prometheus: str, tmp_path: Path
) -> None:
    """Counters named wrong (or not scraped) read `deny 0.0% of 0 decisions`, `● ok`."""
    opts = PromAccessOptions(
        url=prometheus, denied_metric="authz_denied_total", allowed_metric="authz_ok_total"
    )
    src = PromAccess(opts, BackendContext(data_dir=tmp_path))
    try:
        snap = await src.snapshot()
    finally:
        await src.aclose()
    assert (snap.total, snap.rows) == (0, ())
    assert snap.health.state is HealthState.NO_DATA and snap.health.answering
    assert snap.health.last_error == (
        "no series authz_denied_total or authz_ok_total in Prometheus"
    )
    assert snap.health.last_ok_at is not None


async def test_a_failing_prometheus_is_an_error_not_a_crash(tmp_path: Path) -> None:
    port = free_port()
    opts = PromAccessOptions(url=f"http://127.0.0.1:{port}", poll_s=0.05, timeout_s=1)
    src = PromAccess(opts, BackendContext(data_dir=tmp_path))
    stream = aiter(src.watch())
    try:
        snap = await anext(stream)
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
        await src.aclose()
    assert snap.health.state is HealthState.ERROR
    assert snap.health.last_error


def test_counter_by_result_form_builds_the_right_promql() -> None:
    o = PromAccessOptions(counter="opa_decisions_total", labels={"tenant": "tenant"})
    assert o.query(o.denied_expr(), "tenant") == (
        'sum by (tenant) (increase(opa_decisions_total{result=~"deny|denied"}[60s]))'
    )
    assert o.query(o.other_expr()) == "sum (increase(opa_decisions_total[60s]))"
    assert o.totals(3.0, 10.0) == 10.0
    envoy = PromAccessOptions()
    assert envoy.query(envoy.other_expr(), "envoy_cluster_name") == (
        "sum by (envoy_cluster_name) (increase(envoy_cluster_ext_authz_ok[60s]))"
    )
    assert envoy.totals(3.0, 10.0) == 13.0
    with pytest.raises(ValueError):
        PromAccessOptions(labels={"colour": "x"})


def test_httpx_is_not_imported_by_the_plugin_module() -> None:
    code = (
        "import sys, backends.prometheus_access, backends.mqtt.plugin\n"
        "assert 'httpx' not in sys.modules and 'aiomqtt' not in sys.modules\n"
    )
    import sys

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


_ = httpx  # the test environment has it; the adapter imports it lazily
