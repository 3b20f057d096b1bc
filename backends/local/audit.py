"""The local audit sink: the hash-chained audit table of the SQLite store."""

from __future__ import annotations

import asyncio

from backends.local.runtime import LocalRuntime
from backends.models import AuditRecord


class LocalAudit:
    name = "local"

    def __init__(self, rt: LocalRuntime) -> None:
        self.rt = rt

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
    ) -> AuditRecord:
        fields = {
            "id": record_id,
            "at": self.rt.clock.now(),
            "actor": actor,
            "action": action,
            "target": target,
            "phase": phase,
            "outcome": outcome,
            "details": details or {},
        }
        return await asyncio.to_thread(self.rt.store.append_audit, fields)

    async def records(self, limit: int = 100) -> list[AuditRecord]:
        return await asyncio.to_thread(self.rt.store.audit_records, limit)

    async def aclose(self) -> None:
        self.rt.close()
