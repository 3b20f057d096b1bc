"""Real servers for the latency tests: the Debian `prometheus` binary on a free port, and
`watchfloor lab`'s metrics publisher running in a thread of its own.

The Prometheus helper writes a scrape config (1 s scrape interval) and a temp storage
dir, starts the binary on 127.0.0.1, and can stop it and start it again on the same port
and storage (to test a source going away and coming back). Its `query` talks HTTP
directly (urllib), independent of the adapter's client, so tests can ask Prometheus for
its own answer.

`PromAPIStub` stands in for Prometheus's HTTP query API when a test needs it to misbehave:
it answers every query with an empty result (or forwards it to a real Prometheus), checks
the `timeout` parameter the way Prometheus parses it, and can be told to fail the next
requests with a 5xx (`fail_next`) or to hold every reply (`delay_s`). `requests` lists
what arrived.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from backends.lab import Lab, Publisher
from backends.lab.metrics import MetricsPublisher
from backends.models import FaultWindow


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def prometheus_binary() -> str | None:
    return shutil.which("prometheus") or (
        "/usr/bin/prometheus" if Path("/usr/bin/prometheus").exists() else None
    )


class PromServer:
    def __init__(self, workdir: Path, targets: Sequence[str], interval_s: float = 1.0) -> None:
        binary = prometheus_binary()
        if binary is None:
            raise RuntimeError("prometheus is not installed (.ci/system-deps.sh installs it)")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.config = workdir / "prometheus.yml"
        self.storage = workdir / "tsdb"
        self.log = workdir / "prometheus.log"
        interval = f"{int(interval_s * 1000)}ms"
        lines = [
            "global:",
            f"  scrape_interval: {interval}",
            f"  evaluation_interval: {interval}",
            "scrape_configs:",
            "  - job_name: lab",
            f"    scrape_interval: {interval}",
            f"    scrape_timeout: {interval}",
            "    static_configs:",
            f"      - targets: [{', '.join(repr(t) for t in targets)}]",
        ]
        self.config.write_text("\n".join(lines) + "\n")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, within_s: float = 30.0) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    self.binary,
                    f"--config.file={self.config}",
                    f"--storage.tsdb.path={self.storage}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--storage.tsdb.retention.time=1h",
                    "--log.level=warn",
                ],
                stdout=log,
                stderr=log,
                cwd=self.workdir,
            )
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"prometheus not ready in {within_s}s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None

    def api(self, path: str, **params: str) -> Any:
        url = f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=5) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise RuntimeError(f"prometheus said {body}")
        return body["data"]

    def query(self, promql: str, at: datetime) -> list[dict[str, Any]]:
        data = self.api("query", query=promql, time=f"{at.timestamp():.3f}")
        result: list[dict[str, Any]] = data["result"]
        return result

    def scraped_samples(self, metric: str, at: datetime) -> int:
        """How many samples of `metric` Prometheus holds up to `at` (0 while none)."""
        res = self.query(f"count_over_time({metric}[10m])", at)
        return int(float(res[0]["value"][1])) if res else 0


class Recorder(Publisher):
    """Every latency sample in the order the lab observed it, per route."""

    name = "recorder"

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {}

    def on_sample(self, route: str, at: datetime, latency_ms: float, error: bool) -> None:
        self.samples.setdefault(route, []).append(latency_ms)


class LabThread:
    """`watchfloor lab` with a metrics publisher and a Recorder, in a thread with its own
    event loop, so synchronous and module-scoped fixtures can use it."""

    def __init__(
        self, faults: Sequence[FaultWindow] = (), seed: int = 35, style: str = "watchfloor"
    ) -> None:
        self.metrics = MetricsPublisher(0, style=style)
        self.recorder = Recorder()
        self.lab = Lab([self.recorder, self.metrics], seed=seed)
        for w in faults:
            self.lab.add_fault(w)
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="lab", daemon=True)
        self._ready = threading.Event()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            self._stop = asyncio.Event()
            task = asyncio.create_task(self.lab.run(stop=self._stop))
            await self.lab.ticked.wait()
            self._ready.set()
            await task

        self._loop.run_until_complete(main())

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the lab did not start")

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.metrics.port}"

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=15)


_PROM_DURATION = re.compile(r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")


def prom_accepts_duration(text: str) -> bool:
    """Prometheus's API parses float seconds ("0.5") or whole units ("500ms", "1m30s")."""
    try:
        float(text)
    except ValueError:
        return bool(text) and _PROM_DURATION.match(text) is not None
    return True


class PromAPIStub:
    def __init__(self, upstream: str | None = None) -> None:
        self.upstream = upstream
        self.delay_s = 0.0
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.url = ""
        self._fail: list[int] = []

    def fail_next(self, times: int, status: int = 500) -> None:
        with self.lock:
            self._fail.extend([status] * times)

    def heal(self) -> None:
        """Forget the injected failures and delays."""
        with self.lock:
            self._fail.clear()
            self.delay_s = 0.0

    def answer(self, target: str) -> tuple[int, Any]:
        with self.lock:
            self.requests.append(target)
            failed = self._fail.pop(0) if self._fail else None
        if failed is not None:
            return failed, {"status": "error", "errorType": "internal", "error": "injected"}
        url = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(url.query)
        for t in query.get("timeout", []):
            if not prom_accepts_duration(t):
                msg = f'invalid parameter "timeout": cannot parse "{t}" to a valid duration'
                return 400, {"status": "error", "errorType": "bad_data", "error": msg}
        if self.upstream is not None:
            try:
                with urllib.request.urlopen(self.upstream + target, timeout=10) as r:
                    return r.status, json.load(r)
            except urllib.error.HTTPError as exc:
                return exc.code, json.load(exc)
        kind = "matrix" if url.path.endswith("/query_range") else "vector"
        return 200, {"status": "success", "data": {"resultType": kind, "result": []}}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if stub.delay_s:
                    time.sleep(stub.delay_s)
                code, doc = stub.answer(self.path)
                raw = json.dumps(doc).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            do_POST = do_GET

            def log_message(self, *_: Any) -> None:
                return None

        return Handler


@contextmanager
def running_stub(upstream: str | None = None) -> Iterator[PromAPIStub]:
    stub = PromAPIStub(upstream)
    server = ThreadingHTTPServer(("127.0.0.1", 0), stub.handler())
    server.daemon_threads = True
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
