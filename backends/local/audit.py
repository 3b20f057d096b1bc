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
        """Checks only: reads the trail, the mirror and the key files, writes nothing."""
        from backends.audit_signing import key_for_check

        snap = self.rt.store.audit_snapshot()
        records, in_db, in_log = snap.records, snap.in_db, snap.in_log
        merged: dict[int, Digest] = {d.n: d for d in in_db}
        for d in in_log or ():
            seen = merged.setdefault(d.n, d)
            if seen is not d and seen.hash != d.hash:
                return AuditVerification(
                    ok=False,
                    records=len(records),
                    digests=len(in_db),
                    first_bad_seq=min(seen.head_seq, d.head_seq),
                    problem=f"digest {d.n} differs between the database and the digest log",
                )
        digests = [merged[n] for n in sorted(merged)]
        data_dir = self.rt.ctx.data_dir
        pub, key_problem = key_for_check(data_dir, trail_exists=bool(records or digests))
        result = audit_chain.verify(records, digests, pub)
        log = self.rt.store.digest_log
        if result.ok and log is not None and in_db:
            problem = mirror_problem(str(log), in_db, in_log)
            if problem:
                result = result.model_copy(update={"ok": False, "problem": problem})
        if key_problem:
            result = result.model_copy(update={"ok": False, "key_problem": key_problem})
        return result

    async def aclose(self) -> None:
        self.rt.close()


def mirror_problem(log: str, in_db: list[Digest], in_log: list[Digest] | None) -> str:
    """What is wrong with the digest mirror, which is there so that a tail cut from the
    database together with its digests still shows: deleted, emptied or cut short, or ""
    if nothing.

    Without only the database's last digest, or one from the middle, it is not reported:
    a crash (kill -9, power loss) between an append's commit and its mirror line leaves
    it so (the next append's line then follows the gap). That hides nothing: whoever can
    cut the mirror a line shorter than the database could as well cut both alike."""
    unseen = "so a tail cut from the database together with its digests would not show"
    if in_log is None:
        return (
            f"the digest mirror {log} is missing (deleted?), {unseen}; the database has"
            f" {len(in_db)} signed digests"
        )
    last = in_log[-1].n if in_log else 0
    if last >= in_db[-1].n - 1:
        return ""
    if not in_log:
        return (
            f"the digest mirror {log} is empty (emptied?), {unseen}; the database has"
            f" {len(in_db)} signed digests"
        )
    return (
        f"the digest mirror {log} holds {len(in_log)} {_digests(len(in_log))}, the database"
        f" {len(in_db)}: the mirror ends at digest {last}, the database at {in_db[-1].n}"
        f" (cut short?), {unseen}"
    )


def _digests(n: int) -> str:
    return "digest" if n == 1 else "digests"
