"""kill -9 in the middle of many grant writes, again and again: no acknowledged grant is
lost and the audit chain (and its signed digests) stays intact.

The writer is a real process running the local GrantSource (policy, step-up, audit,
store); it prints `ACK <id>` only after `grant()` returned. The test SIGKILLs it at a
random moment while it writes, five times over the same data dir, then checks the store.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from backends.audit_chain import first_break
from tests.conftest import ROOT
from tests.grant_helpers import enroll
from tests.helpers import local_sources

WRITER = """
import asyncio, sys
from datetime import UTC, datetime, timedelta
import pyotp
from backends.clock import FrozenClock
from backends.config import load
from backends.models import Actor, GrantRequest
from backends.wiring import build_sources

async def main(start: float) -> None:
    clock = FrozenClock(datetime.fromtimestamp(start, UTC))
    sources = build_sources(load(), clock=clock)
    secret = (sources.ctx.data_dir / "stepup-totp.secret").read_text().strip()
    totp = pyotp.TOTP(secret)
    for i in range(100_000):
        req = GrantRequest(subject=f"user{i}", role="sre-oncall", ttl=timedelta(minutes=30),
                           reason=f"crash test grant {i}", step_up_code=totp.at(clock.now()))
        g = await sources["grants"].grant(req, Actor(name="crash"))
        print("ACK", g.id, flush=True)
        clock.advance(30)  # the next step-up code

asyncio.run(main(float(sys.argv[1])))
"""
RUNS = 5


def run_and_kill(data_dir: Path, start: float, rng: random.Random) -> list[str]:
    env = {**os.environ, "WATCHFLOOR_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    acks: list[str] = []
    first = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("ACK "):
                acks.append(line.split()[1])
                first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not first.wait(timeout=60):
        proc.kill()
        raise AssertionError(f"the writer never acknowledged: {proc.stderr.read()}")  # type: ignore[union-attr]
    time.sleep(rng.uniform(0.2, 1.0))  # mid-stream: it is always inside a grant
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    reader.join(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    return acks


@pytest.mark.slow
async def test_kill_9_loses_no_acknowledged_grant(data_dir: Path) -> None:
    src = local_sources()
    await enroll(src)
    await src.aclose()
    rng = random.Random(35)
    acked: list[str] = []
    base = time.time() + 86400  # step-up codes of each run lie after the last run's
    for run in range(RUNS):
        got = run_and_kill(data_dir, base + run * 10_000_000, rng)
        assert got, f"run {run}: nothing acknowledged"
        acked += got
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    stored = {r[0] for r in db.execute("SELECT id FROM grants")}
    applied = {
        r[0]
        for r in db.execute(
            "SELECT json_extract(r.details, '$.grant_id') FROM audit r JOIN audit o"
            " ON o.id = r.id AND o.phase = 'outcome' AND o.outcome = 'applied'"
            " WHERE r.phase = 'request' AND r.action = 'grant'"
        )
    }
    db.close()
    print(f"{len(acked)} acknowledged grants over {RUNS} kills")
    assert len(acked) == len(set(acked)) >= RUNS
    assert set(acked) <= stored, "an acknowledged grant was lost"
    assert set(acked) <= applied, "an acknowledged grant has no applied outcome"
    src = local_sources()
    records = await src["audit"].records(1_000_000)
    assert first_break(records) is None
    result = await src["audit"].verify()
    assert result.ok, result
    await src.aclose()
