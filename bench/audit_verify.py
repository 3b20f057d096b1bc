"""bench/audit_verify: what checking the local audit trail costs, against plain SHA-256
over the same canonical JSON (every record's and every digest's), in the same run.

    python -m bench.audit_verify [--records 20000] [--runs 3] [--check]

The trail is written through the local store (every append chained, with its signed
digest and its mirror line; fsync is skipped while writing, which is not measured), then
`verify` (as the dashboard and `watchfloor audit verify` call it) is timed against the
baseline: hashlib.sha256 over the canonical JSON of each record and each digest, prepared
beforehand. verify also reads the database and the mirror, parses both, checks the links
and one signature. The dashboard checks the trail in a thread 2 s after start, holding
the GIL meanwhile. Target: verify <= 45x the baseline (~30x; it was ~175x with an
AuditRecord per record and every digest's signature checked). With --check it exits 1
when the target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

TARGET_RATIO = 45.0
T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


def _sources(data_dir: Path) -> Any:
    from backends.clock import FrozenClock
    from backends.config import load
    from backends.wiring import build_sources

    cfg = data_dir / "bench.toml"
    cfg.write_text(f'data_dir = "{data_dir}"\n[ui]\nactor = "bench"\n')
    return build_sources(load(cfg, env={}), clock=FrozenClock(T0))


@contextmanager
def _no_fsync() -> Iterator[None]:
    """Writing the trail is not what is measured: no fsync while it is written."""
    with mock.patch.object(os, "fsync", lambda fd: None):
        yield


def _write_trail(store: Any, n: int) -> None:
    store._db.execute("PRAGMA synchronous=OFF")
    with _no_fsync():
        for i in range(n):
            store.append_audit(
                {
                    "id": uuid.uuid4().hex,
                    "at": T0 + timedelta(seconds=7 * i, microseconds=7919 * i % 1_000_000),
                    "actor": "alice@example.com",
                    "action": "grant" if i % 2 else "revoke",
                    "target": f"bob@example.com:role-{i % 17}",
                    "phase": "request" if i % 2 else "outcome",
                    "outcome": "" if i % 2 else "ok",
                    "details": {"reason": f"INC-{i}: gateway p99.9", "grant_id": f"g{i:08d}"},
                }
            )
    store._db.execute("PRAGMA synchronous=FULL")


def _canonical_rows(store: Any) -> list[bytes]:
    """The canonical JSON each record's and each digest's hash is over."""
    from backends.audit_chain import Digest, canonical, fields_of

    bodies = store._db.execute("SELECT body FROM audit_digest ORDER BY n").fetchall()
    digests = [Digest.model_validate_json(b) for (b,) in bodies]
    rows = []
    for rec in store.audit_records():
        fields = fields_of(rec)
        del fields["hash"]
        rows.append(canonical(fields))
    rows += [canonical(d.model_dump(mode="json", exclude={"hash"})) for d in digests]
    return rows


def _baseline(rows: list[bytes]) -> float:
    sha256 = hashlib.sha256
    t = time.perf_counter()
    for row in rows:
        sha256(row).hexdigest()
    return time.perf_counter() - t


async def _verify(audit: Any, n: int) -> float:
    t = time.perf_counter()
    result = await audit.verify()
    took = time.perf_counter() - t
    assert result.ok and result.records == n, result
    return took


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=20_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--check", action="store_true")
    args = p.parse_args(argv)
    os.environ.pop("WATCHFLOOR_CONFIG", None)
    n = args.records
    with tempfile.TemporaryDirectory() as tmp:
        src = _sources(Path(tmp))
        store = src["audit"].rt.store
        t = time.perf_counter()
        _write_trail(store, n)
        built = time.perf_counter() - t
        rows = _canonical_rows(store)
        runs = []
        for _ in range(args.runs):
            base = _baseline(rows)
            runs.append((asyncio.run(_verify(src["audit"], n)), base))
        asyncio.run(src.aclose())
    verify_s = statistics.median(r[0] for r in runs)
    base_s = statistics.median(r[1] for r in runs)
    ratio = verify_s / base_s
    per_1k = verify_s * 1e6 / n
    print(f"trail written:           {n} records and digests in {built:.1f} s")
    print(f"verify:                  {verify_s * 1000:8.1f} ms  ({per_1k:.1f} ms per 1k records)")
    print(f"sha256 of {len(rows)} rows: {base_s * 1000:8.1f} ms")
    print(
        f"ratio:                   {ratio:8.1f}x  (target <= {TARGET_RATIO:g}x)  "
        f"{'ok' if ratio <= TARGET_RATIO else 'MISSED'}"
    )
    if args.check and ratio > TARGET_RATIO:
        print("target missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
