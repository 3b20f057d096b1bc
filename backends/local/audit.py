"""The local audit sink: the hash-chained audit table of the SQLite store, with signed
digests (database and mirror log) that `verify` checks against the public key."""

from __future__ import annotations

import asyncio

from backends import audit_chain
from backends.audit_chain import Digest
from backends.local.runtime import LocalRuntime
from backends.models import AuditRecord, AuditVerification


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

    async def verify(self) -> AuditVerification:
        return await asyncio.to_thread(self._verify)

    def _verify(self) -> AuditVerification:
        store = self.rt.store
        records = store.audit_records()
        in_db, in_log = store.audit_digests()
        merged: dict[int, Digest] = {}
        for d in (*in_db, *in_log):
            seen = merged.setdefault(d.n, d)
            if seen.hash != d.hash:
                return AuditVerification(
                    ok=False,
                    records=len(records),
                    digests=len(in_db),
                    first_bad_seq=min(seen.head_seq, d.head_seq),
                    problem=f"digest {d.n} differs between the database and the digest log",
                )
        digests = [merged[n] for n in sorted(merged)]
        return audit_chain.verify(records, digests, self.rt.signing_key.public_key())

    async def aclose(self) -> None:
        self.rt.close()
