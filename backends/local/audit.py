"""The local audit sink: the hash-chained audit table of the SQLite store, with signed
digests (database and mirror log) that `verify` checks against the public key. Every
record's details name the OS user that wrote it (`os_user`): the actor is config."""

from __future__ import annotations

import asyncio
import getpass
import os

from backends import audit_chain
from backends.audit_pins import head_problem
from backends.audit_text import OS_USER
from backends.local.audit_scan import Mirror, TrailScan
from backends.local.grant_verify import listed_problem
from backends.local.runtime import LocalRuntime
from backends.models import AuditRecord, AuditVerification


def os_user() -> str:
    """The Unix user this process runs as (its login name, else its uid)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


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
            # the actor is config (ui.actor): who ran it, as the system says, goes with it
            "details": {**(details or {}), OS_USER: os_user()},
        }
        return await asyncio.to_thread(self.rt.store.append_audit, fields)

    async def records(self, limit: int = 100) -> list[AuditRecord]:
        return await asyncio.to_thread(self.rt.store.audit_records, limit)

    async def verify(
        self, *, expect_key: str = "", expect_head: tuple[int, str] | None = None
    ) -> AuditVerification:
        """`expect_key`: the start of the public key's fingerprint as recorded (else the
        config's `audit.expect_key`); `expect_head`: a head recorded before, (seq, the
        start of its hash), that must still be in the chain (backends.audit_pins)."""
        expect = expect_key or self.rt.ctx.audit_expect_key
        return await asyncio.to_thread(self._verify, expect, expect_head)

    def _verify(self, expect_key: str, expect_head: tuple[int, str] | None) -> AuditVerification:
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
            keys = key_for_check(
                self.rt.ctx.data_dir,
                trail_exists=bool(scan.records or n_digests),
                expect=expect_key,
            )
            result = audit_chain.verify(
                scan.links(), scan.vouched, keys.pub, (scan.records, n_digests)
            )
            head_seq, head_hash = scan.head()
            pinned = ""
            if expect_head is not None:
                pinned = head_problem(expect_head, scan.record_hash(expect_head[0]), head_seq)
            # the grants listed, as of the same moment: each as the trail records it
            grants = listed_problem(scan.db, self.rt.clock.now()) if result.ok else ""
        pins = {"key_fingerprint": keys.fingerprint, "head_seq": head_seq, "head_hash": head_hash}
        result = result.model_copy(update=pins)
        if result.ok:
            gone = expect_head is not None and expect_head[0] > head_seq
            result = self._after_chain(result, scan, pinned, head_seq + 1 if gone else None)
        if result.ok and grants:
            result = result.model_copy(update={"ok": False, "problem": grants})
        if keys.problem:
            result = result.model_copy(update={"ok": False, "key_problem": keys.problem})
        return result

    def _after_chain(
        self, result: AuditVerification, scan: TrailScan, pinned: str, pinned_seq: int | None
    ) -> AuditVerification:
        """With the chain and the digests found whole: the digests' rows, the mirror, and
        the head recorded (`pinned`: what is wrong with it, '' if nothing)."""
        problem, first_bad = pinned, pinned_seq
        log = self.rt.store.digest_log
        if log is not None and scan.digests:
            mirror = mirror_problem(str(log), (scan.digests, scan.last), scan.mirror)
            if mirror:
                problem, first_bad = mirror, None
        if scan.misfiled is not None:  # every row was read: none is missing
            n, d = scan.misfiled
            problem, first_bad = f"the database's digest {n} is digest {d.n} (moved?)", None
        if not problem:
            return result
        return result.model_copy(
            update={"ok": False, "problem": problem, "first_bad_seq": first_bad}
        )

    async def aclose(self) -> None:
        self.rt.close()


def mirror_problem(log: str, in_db: tuple[int, int], mirror: Mirror | None) -> str:
    """What is wrong with the digest mirror, which is there so that a tail cut from the
    database together with its digests still shows: deleted, emptied or cut short, a line
    that is not a digest or not after the one before (read_mirror), or "" if nothing.
    `in_db`: how many digests the database has, and the last one's n. (A line that is
    a digest the database has otherwise is a conflict, found before the chain.)

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
    if mirror.problem:
        return f"the digest mirror {log}: {mirror.problem}"
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
