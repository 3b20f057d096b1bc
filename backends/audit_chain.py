"""The audit hash chain and its signed digests: pure functions, no I/O.

Each record's hash is SHA-256 over the canonical JSON of its fields, the previous
record's hash included, so editing, deleting or reordering any record breaks the chain.
A digest signs the chain head (seq and hash) with Ed25519 and names the previous digest's
hash, so deleting records from the end (which leaves a valid, shorter chain) is caught
too: a signed digest then vouches for a record that is no longer there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

from backends.models import AuditRecord, AuditVerification

if TYPE_CHECKING:  # cryptography is loaded when a digest is signed or checked, not at start-up
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

GENESIS = "0" * 64


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(fields: dict[str, Any]) -> str:
    body = {k: v for k, v in fields.items() if k != "hash"}
    return hashlib.sha256(canonical(body)).hexdigest()


def fields_of(record: AuditRecord) -> dict[str, Any]:
    return record.model_dump(mode="json")


def first_break(records: Iterable[AuditRecord]) -> tuple[int, str] | None:
    """(seq, why) of the first record that does not chain, or None if all do.

    A deleted record is named by the seq it had (the first one missing)."""
    prev = GENESIS
    expected_seq: int | None = None
    for rec in records:
        if expected_seq is not None and rec.seq != expected_seq:
            if rec.seq > expected_seq:
                return expected_seq, f"record {expected_seq} is missing (deleted?)"
            return rec.seq, f"sequence out of order: expected {expected_seq}, found {rec.seq}"
        if rec.prev_hash != prev:
            return rec.seq, "previous-hash link broken (record moved, or one before it removed)"
        if record_hash(fields_of(rec)) != rec.hash:
            return rec.seq, "record content does not match its hash (edited)"
        prev = rec.hash
        expected_seq = rec.seq + 1
    return None


# --- signed digests -------------------------------------------------------------------------


class Digest(BaseModel):
    """A signed statement: "the chain had `head_seq` records ending in `head_hash`"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n: int
    at: AwareDatetime
    head_seq: int
    head_hash: str
    prev_digest: str  # the previous digest's `hash`, GENESIS for the first
    signature: str  # hex Ed25519 signature over the canonical body
    hash: str  # SHA-256 of the canonical body plus the signature

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"signature", "hash"})


def sign_digest(
    key: Ed25519PrivateKey,
    *,
    n: int,
    at: Any,
    head_seq: int,
    head_hash: str,
    prev_digest: str,
) -> Digest:
    draft = Digest(
        n=n,
        at=at,
        head_seq=head_seq,
        head_hash=head_hash,
        prev_digest=prev_digest,
        signature="",
        hash="",
    )
    body = draft.body()
    sig = key.sign(canonical(body)).hex()
    digest_hash = hashlib.sha256(canonical({**body, "signature": sig})).hexdigest()
    return draft.model_copy(update={"signature": sig, "hash": digest_hash})


def _digest_problem(d: Digest, prev: str, key: Ed25519PublicKey | None) -> str:
    """What is wrong with digest `d`; its signature is checked only with a `key`."""
    body = d.body()
    if key is not None:
        from cryptography.exceptions import InvalidSignature

        try:
            key.verify(bytes.fromhex(d.signature), canonical(body))
        except (InvalidSignature, ValueError):
            return f"digest {d.n}: signature does not verify"
    if hashlib.sha256(canonical({**body, "signature": d.signature})).hexdigest() != d.hash:
        return f"digest {d.n}: hash does not match"
    if d.prev_digest != prev:
        return f"digest {d.n}: does not follow digest {d.n - 1} (a digest was removed)"
    return ""


def verify(
    records: Sequence[AuditRecord], digests: Sequence[Digest], key: Ed25519PublicKey | None
) -> AuditVerification:
    """Check the chain, then every digest against the records it vouches for (and its
    signature, given the public `key`; without one, everything else is still checked).

    The first bad record is the one to name: for an edit, the edited record; for a
    deletion, the first missing seq; for a reorder, the first record out of place; for a
    cut tail, the first record after the end that a signed digest vouches for.
    """
    n_rec, n_dig = len(records), len(digests)

    def bad(seq: int | None, why: str) -> AuditVerification:
        return AuditVerification(
            ok=False, records=n_rec, digests=n_dig, first_bad_seq=seq, problem=why
        )

    if records and records[0].seq != 1:
        return bad(1, f"record 1 is missing (the trail starts at {records[0].seq})")
    broken = first_break(records)
    if broken is not None:
        return bad(*broken)
    by_seq = {r.seq: r for r in records}
    last_seq = records[-1].seq if records else 0
    prev = GENESIS
    for i, d in enumerate(digests, start=1):
        if d.n != i:
            return bad(None, f"digest {i} is missing (found digest {d.n})")
        problem = _digest_problem(d, prev, key)
        if problem:
            return bad(d.head_seq, problem)
        if d.head_seq > last_seq:
            return bad(
                last_seq + 1,
                f"tail cut off: digest {d.n} vouches for {d.head_seq} records, "
                f"the trail ends at {last_seq}",
            )
        rec = by_seq.get(d.head_seq)
        if rec is None or rec.hash != d.head_hash:
            return bad(d.head_seq, f"record {d.head_seq} differs from what digest {d.n} signed")
        prev = d.hash
    signed_to = digests[-1].head_seq if digests else 0
    if signed_to < last_seq:
        return bad(
            signed_to + 1,
            f"records {signed_to + 1}..{last_seq} are not covered by a signed digest",
        )
    return AuditVerification(ok=True, records=n_rec, digests=n_dig)
