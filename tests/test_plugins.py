"""Third-party adapters register through the `watchfloor.backends` entry-point group."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

from tests.conftest import ROOT, watchfloor_cmd

FAKE_MODULE = """
from collections.abc import AsyncIterator
import asyncio
from pydantic import BaseModel, ConfigDict
from backends.models import HealthState, LatencySnapshot, RouteLatency, SourceHealth
from backends.registry import BackendPlugin


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    route: str = "GET /fake"


class FakeLatency:
    name = "fake"

    def __init__(self, options, ctx):
        self.options, self.ctx = options, ctx

    async def watch(self) -> AsyncIterator[LatencySnapshot]:
        while True:
            now = self.ctx.clock.now()
            yield LatencySnapshot(
                observed_at=now, source="fake",
                health=SourceHealth(state=HealthState.OK, last_ok_at=now),
                routes=(RouteLatency(route=self.options.route, p999_ms=123.0, slo_ms=200.0,
                                     observations=5000),))
            await asyncio.sleep(0.2)

    async def aclose(self) -> None:
        pass


plugin = BackendPlugin(name="fake", description="test", factories={"latency": FakeLatency},
                       options_model=Options)
"""

BROKEN_MODULE = """
from pathlib import Path
Path(__file__).with_name("IMPORTED").write_text("yes")
raise ImportError("missing native library libfoo.so")
"""


def install_plugins(site: Path) -> None:
    (site / "wf_fake.py").write_text(FAKE_MODULE)
    (site / "wf_broken.py").write_text(BROKEN_MODULE)
    dist = site / "wf_fake-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: wf-fake\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        textwrap.dedent("""\
        [watchfloor.backends]
        fake = wf_fake:plugin
        broken = wf_broken:plugin
        """)
    )


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # this checkout's code too (the console script may be another checkout's install)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(site), str(ROOT)))}
    return subprocess.run(
        [*watchfloor_cmd(), *args], capture_output=True, text=True, timeout=90, env=env
    )


def test_listing_names_imports_nothing(tmp_path: Path) -> None:
    install_plugins(tmp_path)
    proc = run(tmp_path, "backends")
    assert proc.returncode == 0, proc.stderr
    assert set(proc.stdout.split()) >= {"local", "fake", "broken"}
    assert not (tmp_path / "IMPORTED").exists()


def test_third_party_adapter_is_used(tmp_path: Path) -> None:
    install_plugins(tmp_path)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[panes]\nlatency = "fake"\n[backends.fake]\nroute = "GET /plugged"\n')
    proc = run(tmp_path, "--config", str(cfg), "snapshot", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["latency"]["source"] == "fake"
    assert [r["route"] for r in doc["latency"]["routes"]] == ["GET /plugged"]
    assert doc["access"]["source"] == "local"  # the other panes still on the default


def test_plugin_options_validated_by_plugin(tmp_path: Path) -> None:
    install_plugins(tmp_path)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[panes]\nlatency = "fake"\n[backends.fake]\nrout = "x"\n')
    proc = run(tmp_path, "--config", str(cfg), "config", "check")
    assert proc.returncode == 2
    assert "backends.fake.rout" in proc.stderr and str(cfg) in proc.stderr


def test_broken_plugin_is_reported_not_a_crash(tmp_path: Path) -> None:
    install_plugins(tmp_path)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[panes]\nfaults = "broken"\n')
    proc = run(tmp_path, "--config", str(cfg), "snapshot", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["faults"]["health"]["state"] == "error"
    assert "failed to import" in doc["faults"]["health"]["last_error"]
    assert "libfoo.so" in doc["faults"]["health"]["last_error"]
    assert doc["latency"]["health"]["state"] == "ok"
    assert any(a["kind"] == "source down" and "faults" in a["message"] for a in doc["alerts"])
