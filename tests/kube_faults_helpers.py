"""Helpers for the kube fault adapter tests (tests/test_kube_faults_*.py): sources and
CLI environments pointed at the fake API server (tests/kube_fake.py), fault requests, and
stored objects compared without the fields the server bumps on every write."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from backends.clock import Clock
from backends.config import load
from backends.models import Actor, FaultRequest, FaultSpec
from backends.wiring import Sources, build_sources
from tests.kube_fake import TOKEN, FakeKube

ERIN = Actor(name="erin")


def kube_env(api: FakeKube, **opts: str) -> dict[str, str]:
    env = {
        "WATCHFLOOR_PANES__FAULTS": "kube",
        "WATCHFLOOR_BACKENDS__KUBE__API_URL": api.url,
        "WATCHFLOOR_BACKENDS__KUBE__TOKEN": TOKEN,
        "WATCHFLOOR_BACKENDS__KUBE__REQUEST_TIMEOUT_S": "2",
        "WATCHFLOOR_UI__ACTOR": "erin",
    }
    env.update({f"WATCHFLOOR_BACKENDS__KUBE__{k.upper()}": v for k, v in opts.items()})
    return env


def sources(api: FakeKube, clock: Clock | None = None, **opts: Any) -> Sources:
    """Sources built from a config file, as a user would write it, with these options."""
    data_dir = Path(os.environ["WATCHFLOOR_DATA_DIR"])
    lines = ["[ui]", 'actor = "erin"', "[panes]", 'faults = "kube"', "[backends.kube]"]
    options = {"api_url": api.url, "token": TOKEN, "request_timeout_s": 2.0, **opts}
    lines += [f"{k} = {json.dumps(v)}" for k, v in options.items()]
    path = data_dir.parent / "kube-test.toml"
    path.write_text("\n".join(lines) + "\n")
    return build_sources(load(path), clock=clock)


def request(ns: str = "stage", host: str = "docs-api", **kw: Any) -> FaultRequest:
    spec = {"delay_ms": 800, "delay_percent": 30, "abort_status": 503, "abort_percent": 1}
    spec.update(kw.pop("spec", {}))
    return FaultRequest(
        spec=FaultSpec(target_host=host, namespace=ns, **spec),
        reason="game day: docs-api latency drill",
        **kw,
    )


def comparable(obj: dict[str, Any] | None) -> str:
    """The object as the API returns it, minus what the server changes on every write."""
    assert obj is not None
    obj = copy.deepcopy(obj)
    for k in ("resourceVersion", "generation"):
        obj["metadata"].pop(k, None)
    return json.dumps(obj)
