"""Every line of the digest mirror must be its digest as the database has it, in order.

A mirror line with its `head_seq` edited (its `hash` field kept), a garbage line in the
middle, or two lines swapped all verified ok: lines were matched by their `hash` field
alone, unreadable ones skipped as torn, and lines out of order taken for two writers'.
Now each is reported; only a torn last line (a crash mid-write) is let pass, and appends
write their mirror lines in the order of their digests, whoever writes them.
"""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

from backends.clock import FrozenClock
from tests.helpers import local_sources
from tests.test_audit_race import append_one, other_process
from tests.test_audit_tamper import eight_records, verify_cli

MIRROR = "audit-digests.jsonl"


def edit_lines(data_dir: Path, edit: object) -> None:
    log = data_dir / MIRROR
    lines = log.read_text().splitlines()
    assert callable(edit)
    log.write_text("".join(f"{line}\n" for line in edit(lines)))


def changed_head(lines: list[str]) -> list[str]:
    """Digest 3's head_seq edited; its hash field (and so the hash it was matched by) kept."""
    doc = json.loads(lines[2])
    doc["head_seq"] = 2
    return [*lines[:2], json.dumps(doc, separators=(",", ":")), *lines[3:]]


def garbage(lines: list[str]) -> list[str]:
    return [*lines[:4], "this is not a digest", *lines[4:]]


def swapped(lines: list[str]) -> list[str]:
    return [*lines[:4], lines[5], lines[4], *lines[6:]]


def failed(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "TAMPERED" in proc.stderr
    return proc.stderr


async def test_a_mirror_line_edited_with_its_hash_kept_is_reported(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    edit_lines(data_dir, changed_head)
    assert "digest 3 differs between the database and the digest log" in failed(verify_cli())


async def test_a_garbage_line_in_the_middle_of_the_mirror_is_reported(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    edit_lines(data_dir, garbage)
    said = failed(verify_cli())
    assert f"the digest mirror {data_dir / MIRROR}: line 5 is not a digest" in said


async def test_two_mirror_lines_swapped_are_reported(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    await eight_records(frozen_clock)
    edit_lines(data_dir, swapped)
    said = failed(verify_cli())
    assert "line 6 is digest 5, after digest 6 (lines reordered?)" in said


async def test_a_torn_last_line_still_passes(frozen_clock: FrozenClock, data_dir: Path) -> None:
    """A crash in the middle of writing the last line: the database has the digest."""
    await eight_records(frozen_clock)
    log = data_dir / MIRROR
    text = log.read_text()
    log.write_text(text[: len(text) - 40])  # the last line cut, with its newline
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    await src.aclose()
    assert result.ok, result


async def test_two_writers_at_once_keep_the_mirror_in_order(
    frozen_clock: FrozenClock, data_dir: Path
) -> None:
    """Two processes (here: connections) appending at once: their mirror lines are in
    the order of their digests, so the mirror verifies."""
    await eight_records(frozen_clock)
    writers = [other_process(data_dir) for _ in range(3)]

    def write(table: object) -> None:
        for _ in range(40):
            append_one(table)  # type: ignore[arg-type]

    threads = [threading.Thread(target=write, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for w in writers:
        w.close()
    ns = [json.loads(line)["n"] for line in (data_dir / MIRROR).read_text().splitlines()]
    assert ns == sorted(ns) and len(ns) == 8 + 120
    src = local_sources(frozen_clock)
    result = await src["audit"].verify()
    await src.aclose()
    assert result.ok, result
