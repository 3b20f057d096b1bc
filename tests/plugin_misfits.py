"""Third-party release adapters that break the contract, each in its own way (dicts,
raises and naive also as grants and faults sources), installed as a package would be: a
module and its `watchfloor.backends` entry points in a site dir. `install(site)` for a
subprocess (PYTHONPATH=site), `installed(site, monkeypatch)` for this process (the
registry then finds them as it finds the built-in ones)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from backends import registry

MODULE = "wf_misfits"

SOURCE = '''
import asyncio
import time
from datetime import datetime, timezone
from pydantic import BaseModel, ConfigDict
from backends.models import (
    FaultsSnapshot, GrantsSnapshot, HealthState, LatencySnapshot, ReleaseSnapshot, SourceHealth,
)
from backends.registry import BackendPlugin


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    good: int = 0  # how many good snapshots before misbehaving
    block_s: float = 0.0  # how long each poll holds the event loop (statuspage)


class Lax(BaseModel):  # pydantic's default: unknown keys ignored
    url: str = ""


def good(name):
    now = datetime.now(timezone.utc)
    return ReleaseSnapshot(observed_at=now, source=name,
                           health=SourceHealth(state=HealthState.OK, last_ok_at=now))


class Base:
    name = "misfit"

    def __init__(self, options, ctx):
        self.options, self.ctx = options, ctx

    async def aclose(self):
        pass


class Dicts(Base):
    async def watch(self):
        for _ in range(self.options.good):
            yield good(self.name)
            await asyncio.sleep(0.05)
        yield {"observed_at": "now", "stages": []}
        await asyncio.Event().wait()


class WrongKind(Base):
    async def watch(self):
        now = datetime.now(timezone.utc)
        yield LatencySnapshot(observed_at=now, health=SourceHealth(state=HealthState.OK))
        await asyncio.Event().wait()


class SyncGen(Base):
    def watch(self):
        yield good(self.name)


class RaisesAtOnce(Base):
    def watch(self):
        raise RuntimeError("statuspage token not set")


class Refused(Base):
    async def watch(self):
        raise ConnectionError("connection refused (status.example:443)")
        yield


class Naive(Base):
    SNAPSHOT = ReleaseSnapshot

    async def watch(self):
        now = datetime.now(timezone.utc)
        yield self.SNAPSHOT(observed_at=now.replace(tzinfo=None), source=self.name,
                            health=SourceHealth(state=HealthState.OK, last_ok_at=now))
        await asyncio.Event().wait()


class NaiveGrants(Naive):
    SNAPSHOT = GrantsSnapshot


class NaiveFaults(Naive):
    SNAPSHOT = FaultsSnapshot


class Constructed(Base):
    async def watch(self):
        now = datetime.now()
        health = SourceHealth.model_construct(state=HealthState.OK, last_ok_at=now)
        yield ReleaseSnapshot.model_construct(observed_at=now, source=self.name, health=health)
        await asyncio.Event().wait()


class Blocking(Base):
    """Holds the event loop once, on its first poll (a sync client's first request)."""

    name = "statuspage"

    async def watch(self):
        time.sleep(self.options.block_s)
        while True:
            yield good(self.name)
            await asyncio.sleep(0.05)


class Fine(Base):
    async def watch(self):
        while True:
            yield good(self.name)
            await asyncio.sleep(0.05)


def plugin_of(name, cls, options=Options, **more):
    """Its release source; `more`: sources of other panes (grants=..., faults=...)."""
    return BackendPlugin(name=name, description="misfit", factories={"release": cls, **more},
                         options_model=options)


dicts = plugin_of("dicts", Dicts, grants=Dicts, faults=Dicts)
wrongkind = plugin_of("wrongkind", WrongKind)
syncgen = plugin_of("syncgen", SyncGen)
raises = plugin_of("raises", RaisesAtOnce, grants=RaisesAtOnce, faults=RaisesAtOnce)
refused = plugin_of("refused", Refused)
naive = plugin_of("naive", Naive, grants=NaiveGrants, faults=NaiveFaults)
constructed = plugin_of("constructed", Constructed)
statuspage = plugin_of("statuspage", Blocking)
lax = plugin_of("lax", Fine, Lax)
not_a_plugin = object()
'''

BROKEN = 'raise ImportError("libstatus.so: cannot open shared object file")\n'

ENTRY_POINTS = {
    "dicts": f"{MODULE}:dicts",
    "wrongkind": f"{MODULE}:wrongkind",
    "syncgen": f"{MODULE}:syncgen",
    "raises": f"{MODULE}:raises",
    "refused": f"{MODULE}:refused",
    "naive": f"{MODULE}:naive",
    "constructed": f"{MODULE}:constructed",
    "statuspage": f"{MODULE}:statuspage",
    "lax": f"{MODULE}:lax",
    "notaplugin": f"{MODULE}:not_a_plugin",
    "typo": f"{MODULE}_typo:plugin",
    "noattr": f"{MODULE}:plugn",
    "brokenimport": "wf_misfits_broken:plugin",
}


def install(site: Path) -> None:
    (site / f"{MODULE}.py").write_text(SOURCE)
    (site / "wf_misfits_broken.py").write_text(BROKEN)
    dist = site / "wf_misfits-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: wf-misfits\nVersion: 0.1\n")
    lines = "".join(f"{name} = {value}\n" for name, value in ENTRY_POINTS.items())
    (dist / "entry_points.txt").write_text("[watchfloor.backends]\n" + lines)


def installed(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install into `site` and let this process's registry find it (until the test ends)."""
    install(site)
    monkeypatch.syspath_prepend(str(site))
    registry._entry_points.cache_clear()
    for mod in (MODULE, "wf_misfits_broken"):
        monkeypatch.delitem(sys.modules, mod, raising=False)


def forget() -> None:
    """After a test that installed them in this process: the registry scans again."""
    registry._entry_points.cache_clear()
    for mod in (MODULE, "wf_misfits_broken"):
        sys.modules.pop(mod, None)


def config(site: Path, body: str) -> Path:
    cfg = site / "c.toml"
    cfg.write_text(textwrap.dedent(body))
    return cfg
