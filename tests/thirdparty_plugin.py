"""A third-party adapter as a plugin author writes it from backends/contracts.py alone:
its actions just do it (no policy, no step-up, no audit). `installed` registers it in the
`watchfloor.backends` entry-point group, as a pip-installed distribution would, under the
name "thirdparty"."""

from __future__ import annotations

import asyncio
import textwrap
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from backends import registry
from backends.models import (
    Actor,
    FaultRequest,
    FaultsSnapshot,
    FaultWindow,
    Grant,
    GrantRequest,
    GrantsSnapshot,
    HealthState,
    LatencySnapshot,
    ReleaseSnapshot,
    Snapshot,
    SourceHealth,
    WindowState,
)
from backends.registry import BackendContext, BackendPlugin

NAME = "thirdparty"


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Plain:
    name = NAME

    def __init__(self, options: BaseModel, ctx: BackendContext) -> None:
        self.ctx = ctx

    def health(self) -> SourceHealth:
        return SourceHealth(state=HealthState.OK, last_ok_at=self.ctx.clock.now())

    def snapshot_now(self) -> Snapshot:
        raise NotImplementedError

    async def watch(self) -> AsyncIterator[Snapshot]:
        while True:
            yield self.snapshot_now()
            await asyncio.sleep(0.2)

    async def aclose(self) -> None:
        return None


class PlainGrants(_Plain):
    def __init__(self, options: BaseModel, ctx: BackendContext) -> None:
        super().__init__(options, ctx)
        self.grants: list[Grant] = []
        self.codes_seen: list[str] = []  # the step-up codes it was given

    def snapshot_now(self) -> GrantsSnapshot:
        now = self.ctx.clock.now()
        return GrantsSnapshot(
            observed_at=now, health=self.health(), source=NAME, grants=tuple(self.grants)
        )

    async def grant(self, req: GrantRequest, actor: Actor) -> Grant:
        self.codes_seen.append(req.step_up_code)
        now = self.ctx.clock.now()
        g = Grant(
            id=uuid.uuid4().hex[:12],
            subject=req.subject,
            role=req.role,
            reason=req.reason,
            granted_by=actor.name,
            granted_at=now,
            expires_at=now + req.ttl,
        )
        self.grants.append(g)
        return g

    async def revoke(self, grant_id: str, actor: Actor, reason: str) -> None:
        self.grants = [g for g in self.grants if g.id != grant_id]


class PlainRelease(_Plain):
    """Its rehearsal starts a run, then trips over its own settings (a KeyError)."""

    def __init__(self, options: BaseModel, ctx: BackendContext) -> None:
        super().__init__(options, ctx)
        self.started: list[str] = []  # the reasons of the runs it started
        self.settings: dict[str, str] = {}
        self.workflow = ""

    def snapshot_now(self) -> ReleaseSnapshot:
        return ReleaseSnapshot(observed_at=self.ctx.clock.now(), health=self.health(), source=NAME)

    async def trigger_rehearsal(self, actor: Actor, reason: str) -> None:
        self.started.append(reason)  # the run is on its way, then:
        self.workflow = self.settings["rehearsal_workflow"]


class PlainFaults(_Plain):
    def __init__(self, options: BaseModel, ctx: BackendContext) -> None:
        super().__init__(options, ctx)
        self.windows: list[FaultWindow] = []
        self.halted = 0

    def snapshot_now(self) -> FaultsSnapshot:
        now = self.ctx.clock.now()
        return FaultsSnapshot(
            observed_at=now, health=self.health(), source=NAME, windows=tuple(self.windows)
        )

    async def schedule(self, req: FaultRequest, actor: Actor) -> FaultWindow:
        now = self.ctx.clock.now()
        w = FaultWindow(
            id=uuid.uuid4().hex[:8],
            spec=req.spec,
            owner=actor.name,
            reason=req.reason,
            starts_at=now + req.start_in,
            ends_at=now + req.start_in + req.duration,
            applied=not req.start_in,
        )
        self.windows.append(w)
        return w

    async def end(self, window_id: str, actor: Actor, reason: str) -> None:
        self.windows = [w for w in self.windows if w.id != window_id]

    async def halt_all(self, actor: Actor, reason: str) -> int:
        n, self.windows = len(self.windows), []
        self.halted += n
        return n

    async def reconcile(
        self, latency: LatencySnapshot | None = None, *, start: bool = True
    ) -> list[str]:
        """Takes out what ran out and puts in what is due; audits none of it."""
        now, said = self.ctx.clock.now(), []
        for i, w in enumerate(self.windows):
            state = w.state(now)
            if state is WindowState.ENDED and w.applied:
                self.windows[i] = w.model_copy(update={"applied": False, "end_reason": "done"})
                said.append(f"{w.id}: taken out")
            elif state is WindowState.ACTIVE and not w.applied and start:
                self.windows[i] = w.model_copy(update={"applied": True, "started_at": now})
                said.append(f"{w.id}: put in")
        return said


plugin = BackendPlugin(
    name=NAME,
    description="a third-party adapter whose actions just do it",
    factories={"grants": PlainGrants, "release": PlainRelease, "faults": PlainFaults},
    options_model=Options,
)


@contextmanager
def installed(site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This module registered as the `thirdparty` backend, through the entry-point group
    of a distribution in `site` (on sys.path meanwhile)."""
    dist = site / "wf_thirdparty-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: wf-thirdparty\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        textwrap.dedent(f"""\
        [watchfloor.backends]
        {NAME} = tests.thirdparty_plugin:plugin
        """)
    )
    monkeypatch.syspath_prepend(str(site))
    registry._entry_points.cache_clear()
    try:
        yield
    finally:
        registry._entry_points.cache_clear()
