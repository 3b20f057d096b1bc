"""Checking the audit trail never writes a key, and says which file is missing.

`audit verify` with the signing key deleted printed "TAMPERED: record 1: digest 1:
signature does not verify" and wrote a new key pair, overwriting `audit-signing.pub`.
A deleted digest mirror went unreported, so cutting the last records and their digests
out of the database then verified ok.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from backends.clock import FrozenClock
from tests.conftest import watchfloor_cmd
from tests.helpers import local_sources
from tests.test_audit_tamper import cut_tail, drop_guards, eight_records

KEY, PUB, MIRROR = "audit-signing.key", "audit-signing.pub", "audit-digests.jsonl"


def verify_cli() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*watchfloor_cmd(), "audit", "verify"], capture_output=True, text=True, timeout=60
    )


def key_files(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data_dir.glob("audit-signing*"))}


def remove(data_dir: Path, name: str) -> None:
    (data_dir / name).unlink()


@pytest.mark.parametrize("gone", [KEY, PUB])
async def test_verify_names_the_missing_key_file_and_writes_none(
    gone: str, frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    remove(data_dir, gone)
    before = key_files(data_dir)
    proc = verify_cli()
    assert key_files(data_dir) == before  # no new key pair, the public key not overwritten
    assert proc.returncode == 3, proc.stderr  # not 1: nothing was found tampered with
    assert "TAMPERED" not in proc.stderr
    assert f"SIGNING KEY: the {'signing' if gone == KEY else 'public'} key" in proc.stderr
    assert str(data_dir / gone) in proc.stderr
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    await src.aclose()
    assert not result.ok and result.problem == "" and str(data_dir / gone) in result.key_problem
    assert key_files(data_dir) == before


async def test_without_the_signing_key_verify_says_faults_still_come_out_unaudited(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """It said "nothing can be appended (and no audited action taken)": HALT ALL and ending
    a window run all the same (taking faults out never waits on the trail), unaudited."""
    await eight_records(frozen_clock)
    remove(data_dir, KEY)
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    await src.aclose()
    assert "no audited action taken" not in result.key_problem
    assert result.key_problem.endswith(
        "nothing can be appended until the key is restored: every audited action is refused,"
        " except taking faults out (HALT ALL, ending a window, the reconciler's ends), which"
        " goes ahead unaudited"
    ), result.key_problem


async def test_without_the_public_key_a_cut_tail_is_still_found(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """Only the signatures need the key: the chain and what the digests vouch for do not."""
    await eight_records(frozen_clock)
    remove(data_dir, PUB)
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    drop_guards(db)
    cut_tail(db)
    db.commit()
    db.close()
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    await src.aclose()
    assert result.first_bad_seq == 7 and "tail cut off" in result.problem
    assert PUB in result.key_problem


async def test_an_append_without_the_key_is_refused_and_starts_no_new_key(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    remove(data_dir, KEY)
    before = key_files(data_dir)
    src = local_sources(frozen_clock)
    with pytest.raises(Exception, match=f"{KEY} is missing and the trail has records"):
        await src["audit"].append("dave", "grant", "a:b", "request", record_id="x")
    assert len(await src["audit"].records(100)) == 8
    await src.aclose()
    assert key_files(data_dir) == before


async def test_the_first_append_of_a_new_trail_makes_the_key_pair(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    src = local_sources(frozen_clock)
    empty = await src["audit"].verify()  # nothing to check yet: no key needed, none made
    assert empty.ok and empty.records == 0 and key_files(data_dir) == {}
    await src["audit"].append("dave", "grant", "a:b", "request", record_id="x")
    result = await src["audit"].verify()
    await src.aclose()
    assert result.ok and result.records == 1
    assert sorted(key_files(data_dir)) == [KEY, PUB]


async def test_a_deleted_digest_mirror_is_reported_and_not_started_over(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    remove(data_dir, MIRROR)
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    drop_guards(db)
    cut_tail(db)  # records 7 and 8 and their digests: only the mirror knew of them
    db.commit()
    db.close()
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    assert not result.ok and f"{MIRROR} is missing" in result.problem, result
    # the next append does not start a new mirror that would lack the old digests
    await src["audit"].append("dave", "grant", "a:b", "request", record_id="x")
    again = await src["audit"].verify()
    await src.aclose()
    assert not again.ok and f"{MIRROR} is missing" in again.problem, again
    proc = verify_cli()
    assert proc.returncode == 1 and f"TAMPERED: trail: the digest mirror {data_dir / MIRROR}" in (
        proc.stderr
    )


def cut_mirror(data_dir: Path, keep: int) -> None:
    """Truncate the digest mirror in place to its first `keep` lines (0: empty it)."""
    log = data_dir / MIRROR
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:keep]))


@pytest.mark.parametrize(
    ("keep", "words"),
    [
        (0, "is empty (emptied?)"),
        (1, "holds 1 digest, the database 8: the mirror ends at digest 1"),
    ],
)
async def test_an_emptied_or_cut_short_digest_mirror_is_reported(
    keep: int, words: str, frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """Emptied or cut short, not deleted: it verified ok, and so did the tail cut from the
    database that it no longer vouched for."""
    await eight_records(frozen_clock)
    cut_mirror(data_dir, keep)
    proc = verify_cli()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"TAMPERED: trail: the digest mirror {data_dir / MIRROR} {words}" in proc.stderr
    db = sqlite3.connect(data_dir / "watchfloor.sqlite3")
    drop_guards(db)
    cut_tail(db)  # records 7 and 8 and their digests: the mirror no longer knew of them
    db.commit()
    db.close()
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    await src.aclose()
    assert not result.ok and str(data_dir / MIRROR) in result.problem, result
    assert "the database has 6" in result.problem or "the database 6" in result.problem


def drop_mirror_lines(data_dir: Path, *numbers: int) -> None:
    log = data_dir / MIRROR
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(line for i, line in enumerate(lines, 1) if i not in numbers))


async def test_a_mirror_without_only_the_last_digest_or_one_in_the_middle_passes(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """A crash between an append's commit and its mirror line leaves the mirror without
    the last digest, and once the next append's line follows, without one in the middle:
    not tampering (the crash test kills writers so). Without two at the end, it is."""
    await eight_records(frozen_clock)
    drop_mirror_lines(data_dir, 4)
    src = local_sources(frozen_clock)
    assert (await src["audit"].verify()).ok
    drop_mirror_lines(data_dir, 7)  # digest 8's, the last line now
    assert (await src["audit"].verify()).ok
    drop_mirror_lines(data_dir, 6)  # digest 7's
    result = await src["audit"].verify()
    await src.aclose()
    assert not result.ok, result
    assert "holds 5 digests, the database 8: the mirror ends at digest 6" in result.problem
