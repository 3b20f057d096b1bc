"""The audit hash chain: pure functions, no I/O.

Each record's hash is SHA-256 over the canonical JSON of its fields, the previous
record's hash included, so editing, deleting or reordering any record breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from backends.models import AuditRecord

GENESIS = "0" * 64


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(fields: dict[str, Any]) -> str:
    body = {k: v for k, v in fields.items() if k != "hash"}
    return hashlib.sha256(canonical(body)).hexdigest()


def fields_of(record: AuditRecord) -> dict[str, Any]:
    return record.model_dump(mode="json")


def first_break(records: Iterable[AuditRecord]) -> tuple[int, str] | None:
    """(seq, why) of the first record that does not chain, or None if all do."""
    prev = GENESIS
    expected_seq: int | None = None
    for rec in records:
        if expected_seq is not None and rec.seq != expected_seq:
            return rec.seq, f"sequence gap: expected {expected_seq}, found {rec.seq}"
        if rec.prev_hash != prev:
            return rec.seq, "previous-hash link broken"
        if record_hash(fields_of(rec)) != rec.hash:
            return rec.seq, "record content does not match its hash"
        prev = rec.hash
        expected_seq = rec.seq + 1
    return None
