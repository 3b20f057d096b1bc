"""One Protocol per capability. Each is a stream of snapshots plus async actions.

`watch()` yields a snapshot whenever the source has news (push adapters) or after each
poll (polling adapters, which sleep *after* a poll finishes, so requests never stack up).
A source that fails keeps yielding: the last data, with health set to error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from backends.models import (
    AccessSnapshot,
    Actor,
    AuditRecord,
    FaultRequest,
    FaultsSnapshot,
    FaultWindow,
    Grant,
    GrantRequest,
    GrantsSnapshot,
    LatencySnapshot,
    ReleaseSnapshot,
    Snapshot,
)

CAPABILITIES: tuple[str, ...] = ("access", "grants", "release", "latency", "faults", "audit")
PANES: tuple[str, ...] = ("access", "grants", "release", "latency", "faults")


class ActionRefused(Exception):
    """An action was refused before anything was applied (validation, policy, audit)."""


@runtime_checkable
class Source(Protocol):
    name: str

    def watch(self) -> AsyncIterator[Snapshot]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class AccessSource(Protocol):
    name: str

    def watch(self) -> AsyncIterator[AccessSnapshot]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class GrantSource(Protocol):
    name: str

    def watch(self) -> AsyncIterator[GrantsSnapshot]: ...

    async def grant(self, req: GrantRequest, actor: Actor) -> Grant: ...

    async def revoke(self, grant_id: str, actor: Actor, reason: str) -> None: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class ReleaseSource(Protocol):
    name: str

    def watch(self) -> AsyncIterator[ReleaseSnapshot]: ...

    async def trigger_rehearsal(self, actor: Actor, reason: str) -> None: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class LatencySource(Protocol):
    name: str

    def watch(self) -> AsyncIterator[LatencySnapshot]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class FaultSource(Protocol):
    name: str

    def watch(self) -> AsyncIterator[FaultsSnapshot]: ...

    async def schedule(self, req: FaultRequest, actor: Actor) -> FaultWindow: ...

    async def end(self, window_id: str, actor: Actor, reason: str) -> None: ...

    async def halt_all(self, actor: Actor, reason: str) -> int: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class AuditSink(Protocol):
    name: str

    async def append(
        self,
        actor: str,
        action: str,
        target: str,
        phase: str,
        *,
        record_id: str,
        outcome: str = "",
        details: dict[str, str] | None = None,
    ) -> AuditRecord: ...

    async def records(self, limit: int = 100) -> list[AuditRecord]: ...

    async def aclose(self) -> None: ...
