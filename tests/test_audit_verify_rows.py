"""`verify` checks the trail straight from the store's rows (no AuditRecord per record)
and checks one signature for an unbroken digest chain (each digest's hash covers its
signature and the next one names it), all others only when that one fails. What it finds,
and names, is what checking every record model and every signature found."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backends.audit_chain import GENESIS, canonical, link_of
from backends.clock import FrozenClock
from backends.models import AuditVerification
from tests.helpers import local_sources
from tests.test_audit_tamper import drop_guards, eight_records

DB, MIRROR, PUB = "watchfloor.sqlite3", "audit-digests.jsonl", "audit-signing.pub"


async def verify(clock: FrozenClock) -> AuditVerification:
    src = local_sources(clock)
    try:
        result: AuditVerification = await src["audit"].verify()
    finally:
        await src.aclose()
    return result


def tampered(data_dir: Path, sql: str, *args: Any) -> None:
    db = sqlite3.connect(data_dir / DB)
    drop_guards(db)
    db.execute(sql, args)
    db.commit()
    db.close()


def rewrite_digests(data_dir: Path, change: dict[int, dict[str, Any]], rechain: bool) -> None:
    """Change digests (by n) in the database and the mirror alike, their hashes
    recomputed (and, with `rechain`, every later digest's link and hash) without the key."""
    db = sqlite3.connect(data_dir / DB)
    drop_guards(db)
    docs = [json.loads(b) for (b,) in db.execute("SELECT body FROM audit_digest ORDER BY n")]
    prev = GENESIS
    for doc in docs:
        if doc["n"] in change or (rechain and doc["prev_digest"] != prev):
            doc.update(change.get(doc["n"], {}))
            if rechain:
                doc["prev_digest"] = prev
            body = {k: v for k, v in doc.items() if k != "hash"}
            doc["hash"] = hashlib.sha256(canonical(body)).hexdigest()
        prev = doc["hash"]
    for doc in docs:
        db.execute("UPDATE audit_digest SET body = ? WHERE n = ?", (json.dumps(doc), doc["n"]))
    db.commit()
    db.close()
    (data_dir / MIRROR).write_text("".join(json.dumps(d) + "\n" for d in docs))


def other_public_key(data_dir: Path) -> None:
    pem = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (data_dir / PUB).write_bytes(pem)


async def test_rows_hash_as_their_records_do(frozen_clock: FrozenClock, data_dir: Path) -> None:
    """Times with and without microseconds, non-ASCII text, details: the fields hashed
    from a row are the record's, as appends hash them."""
    await eight_records(frozen_clock)
    src = local_sources(frozen_clock)
    audit = src["audit"]
    frozen_clock.advance(timedelta(microseconds=120).total_seconds())
    await audit.append("zoë", "grant", 'a:"b" ✓', "request", record_id="x", details={"é": "\n"})
    frozen_clock.advance(timedelta(microseconds=999_880).total_seconds())
    await audit.append("dave", "grant", "a:b", "outcome", record_id="y", outcome="ok")
    store = audit.rt.store
    with store.audit_scan() as scan:
        links = list(scan.links())
    records = store.audit_records()
    assert [link_of(r) for r in records] == links
    assert records[-2].at.microsecond == 120 and records[-1].at.microsecond == 0
    assert (await audit.verify()).ok
    await src.aclose()


async def test_an_edit_of_the_first_record_is_caught(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    tampered(data_dir, "UPDATE audit SET actor = 'mallory' WHERE seq = 1")
    result = await verify(frozen_clock)
    assert not result.ok and result.first_bad_seq == 1 and "edited" in result.problem


async def test_a_time_that_is_no_time_is_an_edit_not_a_crash(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """It raised ValueError out of verify (the dashboard said "unchecked", the command
    printed a traceback)."""
    await eight_records(frozen_clock)
    tampered(data_dir, "UPDATE audit SET at = 'yesterday', details = '{' WHERE seq = 3")
    result = await verify(frozen_clock)
    assert not result.ok and result.first_bad_seq == 3 and "edited" in result.problem


async def test_a_bad_signature_in_the_middle_is_named(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """Digest 3 re-signed with garbage, its hash recomputed: digest 4 no longer follows
    it, but the signature, checked first, is what is named."""
    await eight_records(frozen_clock)
    rewrite_digests(data_dir, {3: {"signature": "ab" * 64}}, rechain=False)
    result = await verify(frozen_clock)
    assert not result.ok and result.first_bad_seq == 3, result
    assert result.problem == "digest 3: signature does not verify"


async def test_a_digest_chain_rewritten_without_the_key_is_named_where_it_starts(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """Digest 3's time changed, and every digest after it re-linked and re-hashed: the
    chain is unbroken, only signatures fail (the last one's first), and the first of them
    is named."""
    await eight_records(frozen_clock)
    rewrite_digests(data_dir, {3: {"at": "2020-01-01T00:00:00Z"}}, rechain=True)
    result = await verify(frozen_clock)
    assert not result.ok and result.first_bad_seq == 3, result
    assert result.problem == "digest 3: signature does not verify"


async def test_a_public_key_of_another_pair_is_a_key_problem(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """With the signing key there, its own public key is compared first: another one is
    named as the key problem it is, not as tampering with record 1."""
    await eight_records(frozen_clock)
    other_public_key(data_dir)
    result = await verify(frozen_clock)
    assert not result.ok and result.problem == "", result
    assert "does not belong to the public key" in result.key_problem


async def test_without_the_signing_key_a_public_key_of_another_pair_fails_the_first_digest(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    other_public_key(data_dir)
    (data_dir / "audit-signing.key").unlink()
    result = await verify(frozen_clock)
    assert not result.ok and result.first_bad_seq == 1, result
    assert result.problem == "digest 1: signature does not verify"


async def test_digests_moved_to_other_rows_fail(frozen_clock: FrozenClock, data_dir: Path) -> None:
    """The mirror's lines are matched to the database's digests by their rows' n: digests
    moved to other rows (each intact, in order) are a database edited by hand, not passed."""
    await eight_records(frozen_clock)
    tampered(data_dir, "UPDATE audit_digest SET n = n + 50 WHERE n > ?", 4)
    result = await verify(frozen_clock)
    assert not result.ok, result
    assert result.problem == "the database's digest 55 is digest 5 (moved?)"
