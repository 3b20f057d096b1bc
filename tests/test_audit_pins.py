"""What `audit verify` cannot catch on its own, and what pins it down.

A tail cut from the database *and* the same lines from the digest mirror verified ok, and
so did a trail re-signed with a fresh key pair with both key files replaced; a swapped
public key alone read "TAMPERED: record 1: digest 1: signature does not verify" (exit 1,
where a mismatched key is exit 3). Now verify prints the public key's fingerprint and the
chain head, to be recorded off the machine, and `--expect-key` (or `audit.expect_key`)
and `--expect-head` fail when either is no longer what was recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backends.audit_chain import GENESIS, Digest, json_time, sign_digest
from backends.audit_chain import record_hash as chain_hash
from backends.audit_history import check_outcome
from backends.clock import FrozenClock
from backends.local.db import APPEND_ONLY_TRIGGERS, from_db_time
from tests.conftest import watchfloor_cmd
from tests.helpers import local_sources
from tests.test_audit_tamper import eight_records

KEY, PUB, MIRROR = "audit-signing.key", "audit-signing.pub", "audit-digests.jsonl"


def verify_cli(*extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*watchfloor_cmd(), "audit", "verify", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def drop_guards(db: sqlite3.Connection) -> None:
    for trigger in APPEND_ONLY_TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def fingerprint(data_dir: Path) -> str:
    pub = ser.load_pem_public_key((data_dir / PUB).read_bytes())
    raw = pub.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def record_hash(data_dir: Path, seq: int) -> str:
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    try:
        (h,) = db.execute("SELECT hash FROM audit WHERE seq = ?", (seq,)).fetchone()
    finally:
        db.close()
    return str(h)


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def write_pub(data_dir: Path, key: Ed25519PrivateKey) -> None:
    pem = key.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)
    (data_dir / PUB).write_bytes(pem)


def resign_everything(data_dir: Path) -> None:
    """Every digest signed again with a fresh key pair, both key files replaced, and the
    mirror rewritten to match: nothing in the data dir is left to disagree."""
    key = new_key()
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    drop_guards(db)
    rows = db.execute("SELECT seq, at, hash FROM audit ORDER BY seq").fetchall()
    db.execute("DELETE FROM audit_digest")
    prev, lines = GENESIS, []
    for seq, at, h in rows:
        d = sign_digest(
            key, n=seq, at=from_db_time(at), head_seq=seq, head_hash=h, prev_digest=prev
        )
        db.execute("INSERT INTO audit_digest VALUES (?, ?)", (seq, d.model_dump_json()))
        lines.append(d.model_dump_json() + "\n")
        prev = d.hash
    db.commit()
    db.close()
    (data_dir / MIRROR).write_text("".join(lines))
    pem = key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    (data_dir / KEY).write_bytes(pem)
    write_pub(data_dir, key)


def cut_tail_everywhere(data_dir: Path, keep: int) -> None:
    """Records after `keep`, their digests and their mirror lines, all gone."""
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    drop_guards(db)
    db.execute("DELETE FROM audit WHERE seq > ?", (keep,))
    db.execute("DELETE FROM audit_digest WHERE n > ?", (keep,))
    db.commit()
    db.close()
    log = data_dir / MIRROR
    kept = [
        line for line in log.read_text().splitlines() if Digest.model_validate_json(line).n <= keep
    ]
    log.write_text("".join(f"{line}\n" for line in kept))


async def test_verify_prints_the_key_fingerprint_and_the_head(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    fp, head = fingerprint(data_dir), record_hash(data_dir, 8)
    proc = verify_cli()
    assert proc.returncode == 0, proc.stderr
    assert f"key sha256:{fp[:16]}" in proc.stdout
    assert f"head 8:{head[:16]}" in proc.stdout
    doc = json.loads(verify_cli("--json").stdout)
    assert doc["key_fingerprint"] == fp
    assert (doc["head_seq"], doc["head_hash"]) == (8, head)


async def test_a_trail_resigned_with_a_new_key_pair_fails_the_expected_key(
    frozen_clock: FrozenClock, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await eight_records(frozen_clock)
    recorded = fingerprint(data_dir)[:16]
    assert verify_cli("--expect-key", f"sha256:{recorded}").returncode == 0
    resign_everything(data_dir)
    assert verify_cli().returncode == 0  # what verify alone cannot tell
    proc = verify_cli("--expect-key", f"sha256:{recorded}")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert f"SIGNING KEY: the public key {data_dir / PUB} is sha256:" in proc.stderr
    assert f"not the expected sha256:{recorded}" in proc.stderr
    # the same from the config, for the dashboard's check too
    env = {"WATCHFLOOR_AUDIT__EXPECT_KEY": recorded}
    assert verify_cli(env=env).returncode == 3
    monkeypatch.setenv("WATCHFLOOR_AUDIT__EXPECT_KEY", recorded)
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    await src.aclose()
    assert not result.ok and result.problem == "" and "not the expected" in result.key_problem


async def test_a_bad_expected_key_is_a_usage_error(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    proc = verify_cli("--expect-key", "abc")
    assert proc.returncode == 2 and "--expect-key" in proc.stderr


async def test_a_tail_cut_from_database_and_mirror_fails_the_recorded_head(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    h6, h8 = record_hash(data_dir, 6), record_hash(data_dir, 8)
    cut_tail_everywhere(data_dir, 6)  # records 7 and 8: the second grant's revoke
    careless = verify_cli()  # the grants table still says it was revoked: verify sees that
    assert careless.returncode == 1 and "revoked by dave with no revoke in" in careless.stderr
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")  # the table put back as the trail
    db.execute(  # now has it: the grant active again
        "UPDATE grants SET revoked_at = NULL, revoked_by = NULL, revoke_reason = NULL"
        " WHERE id = (SELECT id FROM grants ORDER BY granted_at DESC LIMIT 1)"
    )
    db.commit()
    db.close()
    assert verify_cli().returncode == 0  # what verify alone cannot tell
    proc = verify_cli("--expect-head", f"8:{h8[:16]}")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "TAMPERED: record 7: the recorded head 8:" in proc.stderr
    assert "the trail ends at record 6" in proc.stderr
    assert verify_cli("--expect-head", f"6:{h6}").returncode == 0  # still in the chain
    assert verify_cli("--expect-head", f"5:{h6[:16]}").returncode == 1  # not record 5's
    assert verify_cli("--expect-head", "6:xyz").returncode == 2


def rewrite_from(data_dir: Path, seq: int, reason: str) -> None:
    """Record `seq`'s reason changed, and every record from it on hashed again and
    chained: then re-signed with a fresh key pair (resign_everything)."""
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    drop_guards(db)
    rows = db.execute(
        "SELECT seq, id, at, actor, action, target, phase, outcome, details, prev_hash"
        " FROM audit ORDER BY seq"
    ).fetchall()
    prev = GENESIS
    for s, rid, at, actor, action, target, phase, outcome, details, _ in rows:
        doc = json.loads(details)
        if s == seq:
            doc["reason"] = reason
        fields = {
            "seq": s, "id": rid, "at": json_time(from_db_time(at)), "actor": actor,
            "action": action, "target": target, "phase": phase, "outcome": outcome,
            "details": doc, "prev_hash": prev,
        }  # fmt: skip
        h = chain_hash(fields)
        db.execute(
            "UPDATE audit SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (json.dumps(doc, sort_keys=True), prev, h, s),
        )
        prev = h
    db.commit()
    db.close()
    resign_everything(data_dir)


async def test_a_rewritten_trail_fails_the_recorded_head(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """A record's reason edited and the chain rehashed and re-signed from it on: verify
    alone says ok; the head recorded before is not in the chain any more."""
    await eight_records(frozen_clock)
    h3, h4 = record_hash(data_dir, 3), record_hash(data_dir, 4)
    rewrite_from(data_dir, 4, "routine rotation check")
    assert verify_cli().returncode == 0  # what verify alone cannot tell
    proc = verify_cli("--expect-head", f"4:{h4[:16]}")
    assert proc.returncode == 1
    assert re.search(r"record 4 is not the recorded head 4:[0-9a-f]{16}", proc.stderr), proc.stderr
    assert verify_cli("--expect-head", f"3:{h3[:16]}").returncode == 0  # before the edit


async def test_a_swapped_public_key_is_a_key_problem_naming_the_file(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    write_pub(data_dir, new_key())  # only the public key replaced
    proc = verify_cli()
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "TAMPERED" not in proc.stderr
    assert f"does not belong to the public key {data_dir / PUB}" in proc.stderr
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    await src.aclose()
    state, note = check_outcome(result)
    assert result.problem == "" and state == "unchecked"
    assert PUB in note and "record 1" not in note
