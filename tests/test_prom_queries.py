"""The Prometheus adapter's pure parts: PromQL it builds, what it reads from the answers,
its options and presets, and that its heavy client loads only when it polls."""

from __future__ import annotations

import http.server
import math
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from backends.config import ConfigError, check_backends, load
from backends.models import HealthState, RouteState
from backends.prom.options import PRESETS, PromOptions
from backends.prom.queries import buckets_by, build, by_label, locate, routes_regex, window_seconds
from backends.prom.source import PromLatency
from backends.registry import BackendContext, available
from tests.conftest import ROOT

BOUNDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def cumulative(values: list[float]) -> list[tuple[float, float]]:
    les = [*BOUNDS, math.inf]
    return [(le, float(sum(1 for v in values if v <= le))) for le in les]


@pytest.mark.parametrize("seed", range(20))
def test_locate_finds_the_bucket_holding_the_quantile(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randrange(1, 3000)
    values = [rng.lognormvariate(-3, 1.2) for _ in range(n)]
    for q in (0.5, 0.99, 0.999):
        loc = locate(cumulative(values), q)
        assert loc is not None and loc.observations == n
        # histogram_quantile's rank q * n: the ceil(q * n)-th smallest value is in the bucket
        kth = sorted(values)[max(1, math.ceil(q * n - 1e-9)) - 1]
        if loc.above_last_bucket:
            assert kth > BOUNDS[-1] and loc.low == BOUNDS[-1]
        else:
            assert loc.low < kth <= loc.high


def test_locate_edge_cases() -> None:
    assert locate([], 0.999) is None
    assert locate([(0.1, 0.0), (math.inf, 0.0)], 0.999) is None  # nothing observed
    assert locate([(0.1, 3.0)], 0.999) is None  # no +Inf bucket: cannot count
    loc = locate([(0.1, 10.0), (5.0, 10.0), (math.inf, 50.0)], 0.999)
    assert loc is not None and loc.above_last_bucket and loc.low == 5.0


def test_answers_are_read_by_label() -> None:
    vec = [
        {"metric": {"route": "a"}, "value": [1, "0.25"]},
        {"metric": {"route": "b"}, "value": [1, "NaN"]},
        {"metric": {}, "value": [1, "3"]},
    ]
    got = by_label(vec, "route")
    assert got["a"] == 0.25 and math.isnan(got["b"]) and len(got) == 2
    buckets = buckets_by(
        [
            {"metric": {"route": "a", "le": "+Inf"}, "value": [1, "10"]},
            {"metric": {"route": "a", "le": "0.1"}, "value": [1, "4.2"]},
            {"metric": {"route": "a", "le": "0.5"}, "value": [1, "4.1"]},  # extrapolation dip
        ],
        "route",
    )
    assert buckets == {"a": [(0.1, 4.2), (0.5, 4.2), (math.inf, 10.0)]}


def test_route_regex_matches_exactly_the_routes() -> None:
    routes = ("GET /docs/:id", "GET /search?q=*", 'POST /a.b|c "x"')
    promql_string = routes_regex(routes)
    # undo the PromQL string quoting, then use it as the anchored regex Prometheus would
    pattern = promql_string.replace('\\"', '"').replace("\\\\", "\\")
    rx = re.compile(f"^(?:{pattern})$")
    for r in routes:
        assert rx.match(r), r
    for other in ("GET /docs/x", "GET /searchXq=", "POST /aXb", "c"):
        assert not rx.match(other), other


def test_queries_follow_the_preset_and_overrides() -> None:
    q = build(PromOptions())
    assert q.quantile == (
        "histogram_quantile(0.999, sum by (le, route) (rate(watchfloor_request_duration_seconds"
        '_bucket{route=~"GET /docs/:id|GET /search"}[1m])))'
    )
    assert "increase(watchfloor_request_duration_seconds_bucket" in q.buckets
    assert q.native_quantile.startswith("histogram_quantile(0.999, sum by (route) (rate(")
    assert q.native_count.startswith("histogram_count(sum by (route) (increase(")
    envoy = build(PromOptions(preset="envoy", window="5m"))
    assert "envoy_http_adaptive_concurrency_gradient_controller_concurrency_limit" in envoy.limit
    assert "rate(envoy_http_adaptive_concurrency_rq_blocked{" in envoy.blocked
    assert envoy.unit_ms == 1.0 and "[5m]" in envoy.quantile
    netflix = build(PromOptions(preset="netflix"))
    assert 'status=~"rejected|dropped"' in netflix.blocked and netflix.error_rate == ""
    over = build(PromOptions(preset="envoy", latency_metric="my_seconds", latency_unit_ms=1000))
    assert "my_seconds_bucket" in over.quantile and over.unit_ms == 1000
    assert set(PRESETS) == {"watchfloor", "envoy", "netflix"}
    assert window_seconds("90s") == 90 and window_seconds("5m") == 300


def test_bad_options_are_refused_with_the_key(tmp_path: object) -> None:
    assert "prometheus" in available()
    env = {
        "WATCHFLOOR_PANES__LATENCY": "prometheus",
        "WATCHFLOOR_BACKENDS__PROMETHEUS__WINDOW": "soon",
    }
    with pytest.raises(ConfigError, match="window"):
        check_backends(load(env=env))
    env["WATCHFLOOR_BACKENDS__PROMETHEUS__WINDOW"] = "30s"
    opts = check_backends(load(env=env))["prometheus"]
    assert isinstance(opts, PromOptions) and opts.window == "30s"


def test_building_the_source_imports_no_client_until_it_polls() -> None:
    code = (
        "import os, sys, asyncio\n"
        "os.environ['WATCHFLOOR_PANES__LATENCY'] = 'prometheus'\n"
        "os.environ['WATCHFLOOR_BACKENDS__PROMETHEUS__URL'] = 'http://127.0.0.1:9'\n"
        "os.environ['WATCHFLOOR_BACKENDS__PROMETHEUS__TIMEOUT_S'] = '0.5'\n"
        "from backends.config import load\n"
        "from backends.wiring import build_sources\n"
        "src = build_sources(load())['latency']\n"
        "assert type(src).__name__ == 'PromLatency', src\n"
        "assert 'prometheus_api_client' not in sys.modules\n"
        "snap = asyncio.run(anext(src.watch()))\n"
        "assert 'prometheus_api_client' in sys.modules\n"
        "assert snap.health.state == 'error' and snap.health.last_error, snap\n"
        "print(snap.health.last_error)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "connection refused (127.0.0.1:9)" in proc.stdout  # the cause and the host


def test_example_config_is_valid() -> None:
    loaded = load(ROOT / "config" / "examples" / "prometheus.toml", env={})
    opts = check_backends(loaded)["prometheus"]
    assert isinstance(opts, PromOptions) and opts.slo_for("GET /search") == 400.0
    assert loaded.config.backend_for("latency") == "prometheus"


def test_example_scrape_config_scrapes_what_the_readme_serves() -> None:
    """config/examples/prometheus.yml is valid for promtool and scrapes the port the
    README's `watchfloor lab --metrics-port` serves."""
    example = ROOT / "config" / "examples" / "prometheus.yml"
    promtool = shutil.which("promtool")
    assert promtool, "promtool is not installed (.ci/system-deps.sh installs prometheus)"
    proc = subprocess.run(
        [promtool, "check", "config", str(example)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    readme = (ROOT / "README.md").read_text()
    ports = set(re.findall(r"watchfloor lab --metrics-port (\d+)", readme))
    assert len(ports) == 1
    assert re.findall(r'targets: \["127\.0\.0\.1:(\d+)"\]', example.read_text()) == [*ports]
    assert f"--config.file=config/examples/{example.name}" in readme


def test_native_histogram_answers_become_routes(tmp_path: Path) -> None:
    """The native path's reading of histogram_count / histogram_quantile answers (no
    Prometheus here scrapes native histograms: that needs protobuf exposition)."""
    src = PromLatency(
        PromOptions(histogram="native"), BackendContext(data_dir=tmp_path, interval_s=1)
    )
    r = src._route("GET /search", 0.412, None, 5230.0, None, None, None, None)
    assert r.p999_ms == 412.0 and r.observations == 5230 and r.state is RouteState.OK
    assert r.p999_low_ms is None and not r.above_last_bucket  # bucket bounds unknown
    empty = src._route("GET /search", math.nan, None, 0.0, None, None, None, None)
    assert empty.state is RouteState.NO_DATA and empty.p999_ms is None


async def test_a_prometheus_that_never_answers_times_out(tmp_path: Path) -> None:
    """The client timeout bounds a poll, and Prometheus is told the same `timeout`."""
    seen: list[str] = []
    release = threading.Event()

    class Silent(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            release.wait(10)  # never answers in time

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        src = PromLatency(
            PromOptions(url=url, timeout_s=0.5), BackendContext(data_dir=tmp_path, interval_s=1)
        )
        started = time.monotonic()
        snap = await anext(src.watch())
        took = time.monotonic() - started
        await src.aclose()
    finally:
        release.set()
        server.shutdown()
        server.server_close()
    assert snap.health.state is HealthState.ERROR
    assert "read timed out after 0.5 s (127.0.0.1:" in (snap.health.last_error or "")
    assert took < 3.0
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(seen[0]).query)
    assert query["timeout"] == ["500ms"] and "time" in query
    assert query["query"][0].startswith("histogram_quantile(0.999")
