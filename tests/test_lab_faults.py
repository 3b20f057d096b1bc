"""`watchfloor lab` follows the fault windows of its data dir's local store: a window
scheduled there (as the dashboard's `f` does) moves the lab's served latency, and HALT ALL
takes it out again. The lab runs as the command does, in a subprocess."""

from __future__ import annotations

import asyncio
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backends.fault_store import FaultStore
from backends.lab.faults import StoreFaults
from backends.models import Actor, FaultGuards, FaultRequest, FaultSpec, FaultWindow
from tests.conftest import ROOT, watchfloor_cmd
from tests.helpers import local_sources
from tests.test_lab import scrape

DOCS = "GET /docs/:id"
ERIN = Actor(name="erin")
SLOW = FaultRequest(
    spec=FaultSpec(target_host="docs-api", namespace="stage", delay_ms=800, delay_percent=30),
    reason="game day: docs-api slow reads",
    guards=FaultGuards(p999_ms_above=600, route=DOCS),
)


def start_lab(pool: ThreadPoolExecutor) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen(
        [*watchfloor_cmd(), "lab", "--metrics-port", "0", "--for", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    metrics = proc.stdout.readline()
    assert metrics.startswith("lab: metrics http://127.0.0.1:"), metrics
    try:  # the next start-up line, if there is one
        following = pool.submit(proc.stdout.readline).result(timeout=10)
    except TimeoutError:
        following = ""
    return proc, metrics.split()[-1], following.strip()


def docs_counts(url: str) -> tuple[float, float]:
    """GET /docs/:id samples served so far, and how many of them took over 0.75 s."""
    hist = scrape(url)["watchfloor_request_duration_seconds"]
    total = next(v for n, lbl, v in hist if n.endswith("_count") and lbl["route"] == DOCS)
    fast = next(
        v
        for n, lbl, v in hist
        if n.endswith("_bucket") and lbl["route"] == DOCS and float(lbl["le"]) == 0.75
    )
    return total, total - fast


def slow_share(url: str, over_s: float = 3.0) -> float:
    """The share of GET /docs/:id samples over 0.75 s in the next `over_s` seconds."""
    total0, slow0 = docs_counts(url)
    time.sleep(over_s)
    total1, slow1 = docs_counts(url)
    assert total1 - total0 >= 30, "the lab served too few samples to judge"
    return (slow1 - slow0) / (total1 - total0)


def wait_until_slow(url: str, within_s: float = 10.0) -> None:
    _, slow0 = docs_counts(url)
    deadline = time.monotonic() + within_s
    while docs_counts(url)[1] == slow0:
        assert time.monotonic() < deadline, "the lab never felt the fault window"
        time.sleep(0.25)


def test_lab_feels_the_windows_scheduled_on_its_data_dir_until_they_end(data_dir: Path) -> None:
    pool = ThreadPoolExecutor(1)
    proc, url, following = start_lab(pool)
    try:
        assert following == (
            f"lab: following the fault windows of data dir {data_dir} (faults-local.sqlite3)"
        )
        assert slow_share(url, 2.0) < 0.03  # p99.9 ~145 ms: nothing near 0.75 s

        async def schedule_then_halt() -> None:
            src = local_sources().by_capability["faults"]
            try:
                await src.schedule(SLOW, ERIN)
                await asyncio.to_thread(wait_until_slow, url)
                share = await asyncio.to_thread(slow_share, url)
                assert 0.15 < share < 0.5, share  # 30 % delayed by 800 ms
                assert await src.halt_all(ERIN, "game day over, halting") == 1
                await asyncio.sleep(2.5)  # the lab reads the store every second
                assert await asyncio.to_thread(slow_share, url) < 0.03
            finally:
                await src.aclose()

        asyncio.run(schedule_then_halt())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        pool.shutdown()


def window(wid: str, applied: bool, now: datetime) -> FaultWindow:
    return FaultWindow(
        id=wid,
        spec=SLOW.spec,
        owner="erin",
        reason=SLOW.reason,
        starts_at=now - timedelta(seconds=5),
        ends_at=now + timedelta(minutes=5),
        applied=applied,
    )


def put(path: Path, *windows: FaultWindow) -> None:
    store = FaultStore(path)
    store.put_many(list(windows))
    store.close()


async def test_the_feed_reads_started_windows_and_applies_none_it_cannot_read(
    data_dir: Path,
) -> None:
    warned: list[str] = []
    feed = StoreFaults(data_dir, warn=warned.append)
    now = datetime.now(UTC)
    assert await feed.windows(now) == []  # nothing scheduled: no file, and none made
    assert not await asyncio.to_thread(feed.path.exists)
    await asyncio.to_thread(put, feed.path, window("on", True, now), window("due", False, now))
    assert [w.id for w in await feed.windows(now)] == ["on"]  # only what was started
    feed.close()
    await asyncio.to_thread(feed.path.write_bytes, b"not a database" * 100)
    for _ in range(2):
        assert await feed.windows(now) == []
    assert len(warned) == 1 and str(feed.path) in warned[0], warned
    await asyncio.to_thread(feed.path.unlink)
    await asyncio.to_thread(put, feed.path, window("on", True, now))
    assert [w.id for w in await feed.windows(now)] == ["on"]
    assert "again" in warned[-1]
    feed.close()
