"""`watchfloor lab`: the simulation in real time, fanned out to publishers; its metrics
served over HTTP and read back with prometheus_client's own parser."""

from __future__ import annotations

import subprocess
import urllib.request
from datetime import datetime

from prometheus_client.parser import text_string_to_metric_families

from backends.lab import Lab, Publisher
from backends.lab.metrics import DEFAULT_BUCKETS_S, MetricsPublisher
from backends.local.sim import Simulator
from backends.models import Decision
from tests.conftest import ROOT, watchfloor_cmd


class Counting(Publisher):
    """What a later publisher (MQTT, say) would see: hooks only, no change to the lab."""

    name = "counting"

    def __init__(self) -> None:
        self.samples = 0
        self.decisions: list[Decision] = []
        self.ticks = 0
        self.started = self.closed = False

    async def start(self, sim: Simulator) -> None:
        self.started = True

    def on_sample(self, route: str, at: datetime, latency_ms: float, error: bool) -> None:
        self.samples += 1

    def on_decision(self, decision: Decision) -> None:
        self.decisions.append(decision)

    def on_tick(self, sim: Simulator) -> None:
        self.ticks += 1

    async def aclose(self) -> None:
        self.closed = True


def scrape(url: str) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    with urllib.request.urlopen(url, timeout=5) as r:
        text = r.read().decode()
    return {
        f.name: [(s.name, s.labels, s.value) for s in f.samples]
        for f in text_string_to_metric_families(text)
    }


async def test_lab_fans_hooks_out_and_serves_what_the_simulator_did() -> None:
    counting = Counting()
    metrics = MetricsPublisher(0)
    lab = Lab([counting, metrics], tick_s=0.05)
    await lab.run(duration_s=1.2)
    assert counting.started and counting.closed
    assert counting.ticks == lab.ticks >= 5
    assert counting.samples >= 30 and counting.decisions  # ~60 samples and ~40 decisions a s
    assert lab.sim.now > lab.sim.start
    assert metrics._server is None  # closed with the lab

    lab2 = Lab([metrics, counting], tick_s=0.05)
    seen: dict[str, object] = {"n": 0}

    class Peek(Publisher):
        def on_tick(self, sim: Simulator) -> None:
            if seen["n"] == 0 and lab2.ticks >= 10:
                seen["fams"] = scrape(metrics.url)
                seen["n"] = 1
                seen["count"] = counting.samples

    lab2.publishers = (*lab2.publishers, Peek())
    await lab2.run(duration_s=1.5)
    fams = seen["fams"]
    assert isinstance(fams, dict)
    hist = fams["watchfloor_request_duration_seconds"]
    les = sorted({float(lbl["le"]) for name, lbl, _ in hist if name.endswith("_bucket")}, key=float)
    assert les[:-1] == list(DEFAULT_BUCKETS_S) and les[-1] == float("inf")
    counts = {lbl["route"]: v for name, lbl, v in hist if name.endswith("_count")}
    assert set(counts) == {"GET /docs/:id", "GET /search"}
    assert sum(counts.values()) > 0
    routes = {r.name: r for r in lab2.sim.gateway.routes}
    limits = {lbl["route"]: v for _, lbl, v in fams["watchfloor_adaptive_concurrency_limit"]}
    assert limits == {k: float(r.limit) for k, r in routes.items()}
    assert {lbl["route"] for _, lbl, _ in fams["watchfloor_inflight_requests"]} == set(routes)
    hits = {lbl["layer"]: v for n, lbl, v in fams["watchfloor_cache_hits"] if n.endswith("_total")}
    misses = {
        lbl["layer"]: v for n, lbl, v in fams["watchfloor_cache_misses"] if n.endswith("_total")
    }
    assert set(hits) == {"edge", "app", "db"}
    for layer in hits:
        assert 0.5 < hits[layer] / (hits[layer] + misses[layer]) < 1.0


def test_lab_command_serves_metrics_and_refuses_nothing_to_serve() -> None:
    proc = subprocess.Popen(
        [*watchfloor_cmd(), "lab", "--metrics-port", "0", "--for", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("lab: metrics http://127.0.0.1:"), line
        fams = scrape(line.split()[-1])
        assert "watchfloor_request_duration_seconds" in fams
        assert "watchfloor_blocked_requests" in fams
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = subprocess.run(
        [*watchfloor_cmd(), "lab"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert bad.returncode == 2 and "--metrics-port" in bad.stderr
