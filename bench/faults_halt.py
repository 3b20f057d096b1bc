"""bench/faults_halt: how fast HALT ALL takes every managed fault out, and what one
reconcile pass costs, against the bare Kubernetes API calls that cannot be avoided,
measured in the same run on the same local API server (tests/kube_fake.py).

    python -m bench.faults_halt [--windows 40] [--runs 5] [--check]

HALT ALL of N windows (half on pre-existing VirtualServices, half on ones it created) is
compared with a baseline doing only the API work: one cluster-wide list, then one PUT or
DELETE per object with the pure inverse transform. A reconcile pass with nothing due is
compared with one cluster-wide list. Targets: HALT ALL <= 2.0x its baseline (the policy
check, the audit records and the window store must not dominate); a quiet reconcile pass
<= 3.0x one list call. With --check it exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_HALT = 2.0
TARGET_RECONCILE = 3.0


def _sources(url: str, data_dir: Path) -> Any:
    from backends.config import load
    from backends.wiring import build_sources
    from tests.kube_fake import TOKEN

    cfg = data_dir / "bench.toml"
    cfg.write_text(
        f'data_dir = "{data_dir}"\n[ui]\nactor = "bench"\n[panes]\nfaults = "kube"\n'
        f'[backends.kube]\napi_url = "{url}"\ntoken = "{TOKEN}"\n'
    )
    return build_sources(load(cfg, env={}))


async def _open_windows(src: Any, api: Any, n: int) -> None:
    from backends.models import Actor, FaultRequest, FaultSpec
    from tests.kube_fake import virtual_service

    for i in range(n):
        host = f"svc-{i}"
        if i % 2 == 0:
            api.seed(virtual_service("stage", host, host))
        spec = FaultSpec(target_host=host, namespace="stage", delay_ms=500, delay_percent=10)
        req = FaultRequest(spec=spec, reason="bench: halt all latency")
        await src["faults"].schedule(req, Actor(name="bench"))


def _raw_halt(src: Any) -> int:
    """Only the unavoidable API work: list, then one write per managed object."""
    from backends.fault_istio import A_CREATED, without_fault

    vs = src["faults"].mesh.client()
    items = vs.list_managed()
    for item in items:
        meta = item["metadata"]
        if meta["annotations"].get(A_CREATED) == "true":
            vs.delete(meta["namespace"], meta["name"], meta["resourceVersion"])
        else:
            vs.replace(meta["namespace"], meta["name"], without_fault(item))
    return len(items)


async def one_run(n: int) -> dict[str, float]:
    from backends.models import Actor
    from tests.kube_fake import running

    out: dict[str, float] = {}
    with running() as api, tempfile.TemporaryDirectory() as tmp:
        src = _sources(api.url, Path(tmp))
        await _open_windows(src, api, n)
        t = time.perf_counter()
        removed = await src["faults"].halt_all(Actor(name="bench"), "bench: HALT ALL")
        out["halt"] = time.perf_counter() - t
        assert removed == n, removed

        await _open_windows(src, api, n)
        t = time.perf_counter()
        assert await asyncio.to_thread(_raw_halt, src) == n
        out["raw"] = time.perf_counter() - t
        settled = await src["faults"].reconcile()  # the store learns they were removed
        assert len(settled) == n, settled

        await _open_windows(src, api, n)
        t = time.perf_counter()
        assert await src["faults"].reconcile() == []
        out["reconcile"] = time.perf_counter() - t
        vs = src["faults"].mesh.client()
        t = time.perf_counter()
        await asyncio.to_thread(vs.list_managed)
        out["list"] = time.perf_counter() - t
        await src.aclose()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--windows", type=int, default=40)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--check", action="store_true")
    args = p.parse_args(argv)
    os.environ.pop("WATCHFLOOR_CONFIG", None)
    runs = [asyncio.run(one_run(args.windows)) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    halt_ratio = med["halt"] / med["raw"]
    rec_ratio = med["reconcile"] / med["list"]
    n = args.windows
    each = med["halt"] / n * 1000
    print(f"HALT ALL, {n} windows:   {med['halt'] * 1000:8.1f} ms  ({each:.1f} ms each)")
    print(f"bare API calls:          {med['raw'] * 1000:8.1f} ms")
    print(f"ratio:                   {halt_ratio:8.2f}x  (target <= {TARGET_HALT}x)")
    print(f"reconcile, nothing due:  {med['reconcile'] * 1000:8.1f} ms")
    print(f"one list call:           {med['list'] * 1000:8.1f} ms")
    print(f"ratio:                   {rec_ratio:8.2f}x  (target <= {TARGET_RECONCILE}x)")
    missed = halt_ratio > TARGET_HALT or rec_ratio > TARGET_RECONCILE
    if args.check and missed:
        print("target missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
