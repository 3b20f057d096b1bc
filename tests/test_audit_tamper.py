"""The audit trail cannot be quietly rewritten: each kind of tampering is caught and the
first bad record named, by the sink's `verify` and by `watchfloor audit verify`."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from backends.audit_chain import canonical
from backends.clock import FrozenClock
from backends.local.db import APPEND_ONLY_TRIGGERS
from tests.conftest import watchfloor_cmd
from tests.grant_helpers import ME, code_at, enroll, req
from tests.helpers import local_sources

Tamper = Callable[[sqlite3.Connection], None]
COLS = "id, at, actor, action, target, phase, outcome, details, prev_hash, hash"


def drop_guards(db: sqlite3.Connection) -> None:
    for trigger in APPEND_ONLY_TRIGGERS:
        db.execute(f"DROP TRIGGER {trigger}")


def edit(db: sqlite3.Connection) -> None:
    db.execute("UPDATE audit SET target = 'mallory:cluster-admin' WHERE seq = 5")


def delete(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM audit WHERE seq = 5")


def reorder(db: sqlite3.Connection) -> None:
    """Swap the contents of records 5 and 6, each keeping its own hash (a moved record)."""
    r5 = db.execute(f"SELECT {COLS} FROM audit WHERE seq = 5").fetchone()
    r6 = db.execute(f"SELECT {COLS} FROM audit WHERE seq = 6").fetchone()
    sets = ", ".join(f"{c.strip()} = ?" for c in COLS.split(","))
    db.execute(f"UPDATE audit SET {sets} WHERE seq = 5", (*r6,))
    db.execute(f"UPDATE audit SET {sets} WHERE seq = 6", (*r5,))


def cut_tail(db: sqlite3.Connection) -> None:
    """Drop the last two records and their digests from the database."""
    db.execute("DELETE FROM audit WHERE seq > 6")
    db.execute("DELETE FROM audit_digest WHERE n > 6")


CASES: dict[str, tuple[Tamper, int, str]] = {
    "edit": (edit, 5, "edited"),
    "delete": (delete, 5, "missing"),
    "reorder": (reorder, 5, "link broken"),
    "tail-cut": (cut_tail, 7, "tail cut off"),
}


async def eight_records(clock: FrozenClock) -> None:
    """Four actions (grant, revoke, grant, revoke): eight audit records."""
    src = local_sources(clock)
    secret = await enroll(src)
    for _ in range(2):
        g = await src["grants"].grant(req(code_at(secret, clock.now())), ME)
        await src["grants"].revoke(g.id, ME, "done with it, incident closed")
        clock.advance(31)  # the next step-up code
    assert len(await src["audit"].records(100)) == 8
    await src.aclose()


def verify_cli(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*watchfloor_cmd(), "audit", "verify", *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_intact_trail_verifies(frozen_clock: FrozenClock, data_dir: Path) -> None:
    await eight_records(frozen_clock)
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    assert result.ok and result.records == 8 and result.digests == 8
    await src.aclose()
    mode = (data_dir / "audit-signing.key").stat().st_mode & 0o777
    assert mode == 0o600


@pytest.mark.parametrize("case", sorted(CASES))
async def test_tampering_is_detected(case: str, frozen_clock: FrozenClock, data_dir: Path) -> None:
    await eight_records(frozen_clock)
    tamper, first_bad, words = CASES[case]
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        tamper(db)  # the store refuses casual edits ...
    drop_guards(db)  # ... so the attacker drops its triggers first
    tamper(db)
    db.commit()
    db.close()
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    await src.aclose()
    assert not result.ok
    assert result.first_bad_seq == first_bad, result
    assert words in result.problem


async def test_tail_cut_from_database_and_log_is_still_caught_by_digest_log(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """Cutting records and their digests from the database leaves the mirrored log; the
    log alone, if trimmed too but not re-signed, must not verify without the key either."""
    await eight_records(frozen_clock)
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    drop_guards(db)
    cut_tail(db)
    db.commit()
    db.close()
    log = data_dir / "audit-digests.jsonl"
    assert len(log.read_text().splitlines()) == 8  # the mirror still vouches for all eight
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    assert not result.ok and result.first_bad_seq == 7
    # a digest forged without the key (pointing at the cut chain) is refused as well
    lines = log.read_text().splitlines()
    forged = json.loads(lines[6])  # digest 7, re-pointed at record 6
    forged.update(head_seq=6, head_hash=json.loads(lines[5])["head_hash"])
    body = {k: v for k, v in forged.items() if k not in ("signature", "hash")}
    forged["hash"] = hashlib.sha256(
        canonical({**body, "signature": forged["signature"]})
    ).hexdigest()
    log.write_text("\n".join([*lines[:6], json.dumps(forged)]) + "\n")
    result = await src["audit"].verify()
    assert not result.ok and "signature does not verify" in result.problem
    await src.aclose()


async def test_cli_verify_exit_status_and_json(frozen_clock: FrozenClock, data_dir: Path) -> None:
    await eight_records(frozen_clock)
    ok = verify_cli()
    assert ok.returncode == 0, ok.stderr
    assert "8 records" in ok.stdout
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    drop_guards(db)
    delete(db)
    db.commit()
    db.close()
    bad = verify_cli()
    assert bad.returncode == 1
    assert "record 5" in bad.stderr
    doc = json.loads(verify_cli("--json").stdout)
    assert doc["ok"] is False and doc["first_bad_seq"] == 5
