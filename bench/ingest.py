"""bench/ingest: decisions per second through the mqtt adapter (parse + windowed
aggregation) against a raw aiomqtt receive loop on the same Mosquitto in the same run;
then keypress-to-repaint latency of the dashboard while 5,000 msg/s flow into it.

    python -m bench.ingest [--messages 50000] [--rounds 3] [--rate 5000] [--check]

Throughput: the broker is loaded first (a persistent session, QoS 0 queued for it), then
the receiver connects and drains it, so the receiver alone sets the pace; the two cases
are interleaved, medians reported. Latency: the dashboard runs headless with its access
pane on the mqtt backend while a separate process publishes at --rate msg/s; the down and
up keys move the access table's cursor; the time from posting the key to the first
screen update showing the moved cursor is recorded.
Targets (issue 4): adapter >= 0.8x the raw loop; keypress-to-repaint p99 < 50 ms.
The broker, the payloads and the publishers are in bench/mqtt_load.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.mqtt_load import PUBLISHER, TOPIC, payloads, preload, publish_fast, start_broker

TARGET_RATIO = 0.8
TARGET_P99_MS = 50.0
ROOT = Path(__file__).resolve().parent.parent


async def raw_loop(port: int, client_id: str, n: int) -> float:
    import aiomqtt

    t0 = time.perf_counter()
    got = 0
    async with aiomqtt.Client("127.0.0.1", port, identifier=client_id, clean_session=False) as c:
        async for _ in c.messages:
            got += 1
            if got == n:
                break
    return n / (time.perf_counter() - t0)


async def adapter(port: int, client_id: str, n: int) -> float:
    from backends.mqtt.options import MqttOptions
    from backends.mqtt.source import MqttAccess
    from backends.registry import BackendContext

    opts = MqttOptions(
        port=port,
        topic=TOPIC,
        client_id=client_id,
        persistent_session=True,
        queue_size=max(20_000, n),
    )
    src = MqttAccess(opts, BackendContext(data_dir=Path(tempfile.gettempdir())))
    t0 = time.perf_counter()
    src.start()
    try:
        while src.window.accepted + src.window.dropped_total < n:  # noqa: ASYNC110
            await asyncio.sleep(0.002)
        elapsed = time.perf_counter() - t0
        if src.window.dropped_total:
            print(f"  (adapter dropped {src.window.dropped_total} on a full queue)")
        src.snapshot()  # and the result is readable
    finally:
        await src.aclose()
    return src.window.accepted / elapsed


def throughput(port: int, n: int, rounds: int) -> tuple[float, float]:
    data = payloads(n)
    raw: list[float] = []
    ada: list[float] = []
    for r in range(rounds):
        for name, fn, sink in (("raw", raw_loop, raw), ("adapter", adapter, ada)):
            cid = f"bench-{name}-{r}"
            asyncio.run(preload(port, cid, data))
            rate = asyncio.run(fn(port, cid, n))
            sink.append(rate)
            print(f"  round {r + 1} {name:8} {rate:9,.0f} msg/s", flush=True)
    return statistics.median(raw), statistics.median(ada)


async def keypress_latency(
    port: int, rate: float, presses: int, worker: str
) -> tuple[list[float], int]:
    from backends.config import load
    from backends.wiring import build_sources
    from tui.app import WatchfloorApp
    from tui.panes.keyed_table import KeyedTable

    os.environ["WATCHFLOOR_PANES__ACCESS"] = "mqtt"
    os.environ["WATCHFLOOR_BACKENDS__MQTT__PORT"] = str(port)
    os.environ["WATCHFLOOR_BACKENDS__MQTT__TOPIC"] = TOPIC
    os.environ["WATCHFLOOR_BACKENDS__MQTT__WORKER"] = worker
    latencies: list[float] = []

    class Timed(WatchfloorApp):
        pending: tuple[float, int] | None = None

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if self.pending is not None:
                t0, row = self.pending
                table = self.query_one("#access-table", KeyedTable)
                if table.cursor_row != row:
                    latencies.append(time.perf_counter() - t0)
                    self.pending = None

    pub = None
    if rate > 0:
        pub = subprocess.Popen(  # noqa: ASYNC220  (started once, before measuring)
            [sys.executable, "-c", PUBLISHER, str(port), str(rate), TOPIC],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    try:
        app = Timed(build_sources(load()))
        async with app.run_test(size=(160, 50)) as pilot:
            for i in range(400):  # until the table has rows to move through
                if app.query_one("#access-table", KeyedTable).row_count >= 6:
                    break
                if rate <= 0 and i % 20 == 0:
                    # the quiet baseline: a few decisions so the table has rows (again
                    # each second: the first may go out before the adapter subscribed)
                    await asyncio.to_thread(publish_fast, port, payloads(300, seed=2))
                await pilot.pause(0.05)
            await pilot.press("3")
            await pilot.pause(1.0)

            def counted() -> int:
                snap = app.snapshots["access"]
                return int(getattr(snap, "total", 0))

            start_count = counted()
            t_start = time.perf_counter()
            rnd = random.Random(1)
            for i in range(presses):
                table = app.query_one("#access-table", KeyedTable)
                key = (
                    "down"
                    if table.cursor_row < 3 or (i % 2 == 0 and table.cursor_row < 5)
                    else "up"
                )
                app.pending = (time.perf_counter(), table.cursor_row)
                await pilot.press(key)
                for _ in range(200):
                    if app.pending is None:
                        break
                    await asyncio.sleep(0.001)
                app.pending = None
                await asyncio.sleep(rnd.uniform(0.02, 0.06))
            await pilot.pause(1.1)  # one more snapshot (the window is 60 s: still growing)
            flowed = (counted() - start_count) / (time.perf_counter() - t_start - 0.55)
    finally:
        if pub is not None:
            pub.terminate()
            pub.wait(timeout=10)
    return latencies, int(flowed)


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """(p50, p99) in ms: sorted(x)[floor(n * q)]."""
    ms = sorted(x * 1000 for x in seconds)
    if not ms:
        return float("inf"), float("inf")
    return ms[len(ms) // 2], ms[min(len(ms) - 1, int(len(ms) * 0.99))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rate", type=float, default=5000.0)
    ap.add_argument("--presses", type=int, default=200)
    ap.add_argument(
        "--worker", choices=("process", "inline"), default="process", help="mqtt ingest mode"
    )
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["WATCHFLOOR_DATA_DIR"] = tmp
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "xdg")
        broker, port = start_broker(Path(tmp))
        try:
            print(f"ingest: {args.messages:,} decision events, {args.rounds} rounds each")
            raw, ada = throughput(port, args.messages, args.rounds)
            quiet, _ = asyncio.run(keypress_latency(port, 0, args.presses, args.worker))
            lat, flowed = asyncio.run(keypress_latency(port, args.rate, args.presses, args.worker))
        finally:
            broker.terminate()
            broker.wait(timeout=10)
    ratio = ada / raw
    q50, q99 = percentiles(quiet)
    p50, p99 = percentiles(lat)
    print(f"  raw aiomqtt receive loop:          {raw:9,.0f} msg/s (median)")
    print(f"  mqtt adapter + deny-rate windows:  {ada:9,.0f} msg/s (median)")
    print(
        f"  ratio {ratio:.2f}x  (target >= {TARGET_RATIO}x)  "
        f"{'ok' if ratio >= TARGET_RATIO else 'MISSED'}"
    )
    print(
        f"  keypress-to-repaint, no messages flowing (reference): p50 {q50:.1f} ms,"
        f" p99 {q99:.1f} ms over {len(quiet)} presses"
    )
    print(
        f"  keypress-to-repaint ({args.worker} ingest) with {flowed:,} msg/s flowing:"
        f" p50 {p50:.1f} ms,"
        f" p99 {p99:.1f} ms over {len(lat)} of {args.presses} presses"
        f"  (target p99 < {TARGET_P99_MS:g} ms)  {'ok' if p99 < TARGET_P99_MS else 'MISSED'}"
    )
    if flowed < args.rate * 0.9:
        print(f"  MISSED: only {flowed:,} of {args.rate:,.0f} msg/s got through")
    missed = (
        ratio < TARGET_RATIO
        or p99 >= TARGET_P99_MS
        or len(lat) < args.presses * 0.95
        or flowed < args.rate * 0.9
    )
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
