"""The local audit sink: the hash-chained audit table of the SQLite store, with signed
digests (database and mirror log) that `verify` checks against the public key."""

from __future__ import annotations

import asyncio

from backends import audit_chain
from backends.local.audit_scan import Mirror
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
        """Checks only: reads the trail, the mirror and the key files, writes nothing.
        Streams: a row of the trail and a line of the mirror at a time, whatever its
        length (backends.local.audit_scan)."""
        from backends.audit_signing import key_for_check

        with self.rt.store.audit_scan() as scan:
            conflict = scan.first_conflict()
            if conflict is not None:
                seen, d = conflict
                return AuditVerification(
                    ok=False,
                    records=scan.records,
                    digests=scan.digests,
                    first_bad_seq=min(seen.head_seq, d.head_seq),
                    problem=f"digest {d.n} differs between the database and the digest log",
                )
            n_digests = scan.digests + len(scan.only_in_log())
            pub, key_problem = key_for_check(
                self.rt.ctx.data_dir, trail_exists=bool(scan.records or n_digests)
            )
            result = audit_chain.verify(scan.links(), scan.vouched, pub, (scan.records, n_digests))
        if result.ok and scan.misfiled is not None:  # every row was read: none is missing
            n, d = scan.misfiled
            problem = f"the database's digest {n} is digest {d.n} (moved?)"
            result = result.model_copy(update={"ok": False, "problem": problem})
        log = self.rt.store.digest_log
        if result.ok and log is not None and scan.digests:
            problem = mirror_problem(str(log), (scan.digests, scan.last), scan.mirror)
            if problem:
                result = result.model_copy(update={"ok": False, "problem": problem})
        if key_problem:
            result = result.model_copy(update={"ok": False, "key_problem": key_problem})
        return result

    async def aclose(self) -> None:
        self.rt.close()


def mirror_problem(log: str, in_db: tuple[int, int], mirror: Mirror | None) -> str:
    """What is wrong with the digest mirror, which is there so that a tail cut from the
    database together with its digests still shows: deleted, emptied or cut short, or ""
    if nothing. `in_db`: how many digests the database has, and the last one's n.

    Without only the database's last digest, or one from the middle, it is not reported:
    a crash (kill -9, power loss) between an append's commit and its mirror line leaves
    it so (the next append's line then follows the gap). That hides nothing: whoever can
    cut the mirror a line shorter than the database could as well cut both alike."""
    unseen = "so a tail cut from the database together with its digests would not show"
    count, last_in_db = in_db
    if mirror is None:
        return (
            f"the digest mirror {log} is missing (deleted?), {unseen}; the database has"
            f" {count} signed digests"
        )
    last = mirror.last
    if last >= last_in_db - 1:
        return ""
    if not mirror.lines:
        return (
            f"the digest mirror {log} is empty (emptied?), {unseen}; the database has"
            f" {count} signed digests"
        )
    return (
        f"the digest mirror {log} holds {mirror.lines} {_digests(mirror.lines)}, the database"
        f" {count}: the mirror ends at digest {last}, the database at {last_in_db}"
        f" (cut short?), {unseen}"
    )


def _digests(n: int) -> str:
    return "digest" if n == 1 else "digests"
