"""The kube fault adapter's guard rails against the fake Kubernetes API server
(tests/kube_fake.py): protected namespaces refused by policy, adapter and CLI alike, the
percentage and duration bounds, and the example config."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta

import pytest

from backends.clock import FrozenClock
from backends.config import load
from backends.contracts import ActionRefused
from backends.models import FaultWindow
from tests.conftest import ROOT, watchfloor_cmd
from tests.kube_fake import FakeKube
from tests.kube_faults_helpers import ERIN, kube_env, request, sources


async def test_protected_namespace_refused_by_the_adapter_even_if_config_opens_it(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    src = sources(api, frozen_clock, protected_namespaces=[])
    assert src.errors == {}
    faults = src["faults"]
    with pytest.raises(ActionRefused, match="protected"):  # policy faults.rego still says no
        await faults.schedule(request(ns="prod"), ERIN)
    # and below validation and policy, the adapter's own write path refuses too
    w = FaultWindow(
        id="sneaky",
        spec=request(ns="kube-system").spec,
        owner="erin",
        reason="bypassing the front door",
        starts_at=frozen_clock.now(),
        ends_at=frozen_clock.now() + timedelta(minutes=5),
    )
    with pytest.raises(ActionRefused, match="protected"):
        faults.mesh.apply(w)
    assert api.writes == [] and api.requests == []
    await src.aclose()


async def test_config_can_protect_more_namespaces(api: FakeKube, frozen_clock: FrozenClock) -> None:
    src = sources(api, frozen_clock, protected_namespaces=["payments"])
    with pytest.raises(ActionRefused, match="payments"):
        await src["faults"].schedule(request(ns="payments"), ERIN)
    with pytest.raises(ActionRefused, match="protected"):
        await src["faults"].schedule(request(ns="prod"), ERIN)
    assert api.writes == []
    await src.aclose()


async def test_percentage_required_and_capped_and_window_bounded(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    src = sources(api, frozen_clock)
    bad = [
        request(spec={"delay_percent": 0, "abort_percent": 0}),
        request(spec={"delay_percent": 0}),  # a delay with no percentage
        request(spec={"abort_percent": 60}),
        request(duration=timedelta(minutes=61)),
    ]
    for req in bad:
        with pytest.raises(ActionRefused):
            await src["faults"].schedule(req, ERIN)
    assert api.writes == []
    await src.aclose()


def test_cli_refuses_protected_namespace_before_any_backend(api: FakeKube) -> None:
    env = {**os.environ, **kube_env(api)}
    out = subprocess.run(
        [*watchfloor_cmd(), "faults", "schedule", "--host", "docs-api", "-n", "istio-system",
         "--abort-percent", "5", "--duration", "1m", "--reason", "trying the control plane"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert out.returncode == 1
    assert "protected" in out.stderr
    assert api.requests == []


def test_example_config_is_valid() -> None:
    from backends.config import check_backends

    loaded = load(ROOT / "config" / "examples" / "kube.toml", env={})
    options = check_backends(loaded)
    assert loaded.config.panes.faults == "kube"
    assert "payments" in options["kube"].protected_namespaces  # type: ignore[attr-defined]
