"""The audit hash chain and its signed digests: pure functions, no I/O.

Each record's hash is SHA-256 over the canonical JSON of its fields, the previous
record's hash included, so editing, deleting or reordering any record breaks the chain.
A digest signs the chain head (seq and hash) with Ed25519 and names the previous digest's
hash, so deleting records from the end (which leaves a valid, shorter chain) is caught
too: a signed digest then vouches for a record that is no longer there.

`verify` takes the records as `Link`s (a store builds them straight from its rows, so a
long trail is checked without a model object per record), or as AuditRecords.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import AwareDatetime, BaseModel, ConfigDict

from backends.models import AuditRecord, AuditVerification

if TYPE_CHECKING:  # cryptography is loaded when a digest is signed or checked, not at start-up
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

GENESIS = "0" * 64
# one encoder for every call (json.dumps with options builds a new one each time)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(fields: dict[str, Any]) -> bytes:
    return _CANONICAL.encode(fields).encode()


def record_hash(fields: dict[str, Any]) -> str:
    body = {k: v for k, v in fields.items() if k != "hash"}
    return hashlib.sha256(canonical(body)).hexdigest()


def json_time(at: datetime) -> str:
    """A record's time as its hash covers it: UTC, ISO 8601 ending in Z, microseconds
    only when not zero (as pydantic writes it, which the trails so far were hashed with)."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def fields_of(record: AuditRecord) -> dict[str, Any]:
    return {**record.model_dump(mode="json"), "at": json_time(record.at)}


class Link(NamedTuple):
    """One record as the chain check needs it: its seq, its hashes and what its hash is
    over (the canonical JSON of its fields, as `fields_of` gives them, without `hash`).
    Bytes, not the fields: a long trail's links are no work for the garbage collector."""

    seq: int
    prev_hash: str
    hash: str
    body: bytes


def link_of(record: AuditRecord) -> Link:
    fields = fields_of(record)
    del fields["hash"]
    return Link(record.seq, record.prev_hash, record.hash, canonical(fields))


def first_break(records: Iterable[AuditRecord | Link]) -> tuple[int, str] | None:
    """(seq, why) of the first record that does not chain, or None if all do.

    A deleted record is named by the seq it had (the first one missing)."""
    prev = GENESIS
    expected_seq: int | None = None
    sha256 = hashlib.sha256
    for rec in records:
        link = rec if isinstance(rec, Link) else link_of(rec)
        if expected_seq is not None and link.seq != expected_seq:
            if link.seq > expected_seq:
                return expected_seq, f"record {expected_seq} is missing (deleted?)"
            return link.seq, f"sequence out of order: expected {expected_seq}, found {link.seq}"
        if link.prev_hash != prev:
            return link.seq, "previous-hash link broken (record moved, or one before it removed)"
        if sha256(link.body).hexdigest() != link.hash:
            return link.seq, "record content does not match its hash (edited)"
        prev = link.hash
        expected_seq = link.seq + 1
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


def _signed(d: Digest, key: Ed25519PublicKey) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(bytes.fromhex(d.signature), canonical(d.body()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _link_problem(d: Digest, prev: str) -> str:
    """What is wrong with digest `d` as a link of the digest chain, its signature aside."""
    unsigned = d.model_dump(mode="json", exclude={"hash"})
    if hashlib.sha256(canonical(unsigned)).hexdigest() != d.hash:
        return f"digest {d.n}: hash does not match"
    if d.prev_digest != prev:
        return f"digest {d.n}: does not follow digest {d.n - 1} (a digest was removed)"
    return ""


def _first_unsigned(chain: Sequence[Digest], key: Ed25519PublicKey) -> Digest | None:
    """The first digest of `chain` whose signature does not verify, or None.

    `chain` is unbroken: each digest's hash is right and names the one before it, and a
    digest's hash covers its signature. So a good signature on the last one vouches for
    every one before it (changing or forging any of them changes every hash after it, up
    to the signed one), and only the last is checked, unless it fails; then they are
    checked one by one, to name the first that fails."""
    if not chain or _signed(chain[-1], key):
        return None
    return next(d for d in chain if not _signed(d, key))


def verify(
    records: Sequence[AuditRecord | Link],
    digests: Sequence[Digest],
    key: Ed25519PublicKey | None,
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
    by_seq = {r.seq: r.hash for r in records}
    last_seq = records[-1].seq if records else 0
    found = _first_bad_digest(digests, by_seq, last_seq)
    if key is not None:
        # a digest's signature is checked before the rest of it: a bad one before (or
        # at) the first digest found wrong otherwise is what to name
        ends = found.position if found is not None else n_dig
        unsigned = _first_unsigned(digests[:ends], key)
        if unsigned is None and found is not None and found.signature_first:
            unsigned = None if _signed(digests[ends], key) else digests[ends]
        if unsigned is not None:
            return bad(unsigned.head_seq, f"digest {unsigned.n}: signature does not verify")
    if found is not None:
        return bad(found.seq, found.why)
    signed_to = digests[-1].head_seq if digests else 0
    if signed_to < last_seq:
        return bad(
            signed_to + 1,
            f"records {signed_to + 1}..{last_seq} are not covered by a signed digest",
        )
    return AuditVerification(ok=True, records=n_rec, digests=n_dig)


class _Found(NamedTuple):
    position: int  # of the digest in the sequence checked
    seq: int | None  # the first bad record
    why: str
    signature_first: bool  # its signature is checked before this (so a bad one is named)


def _first_bad_digest(
    digests: Sequence[Digest], by_seq: dict[int, str], last_seq: int
) -> _Found | None:
    """The first digest wrong in anything but its signature, or None."""
    prev = GENESIS
    for i, d in enumerate(digests):
        if d.n != i + 1:
            return _Found(i, None, f"digest {i + 1} is missing (found digest {d.n})", False)
        problem = _link_problem(d, prev)
        if problem:
            return _Found(i, d.head_seq, problem, True)
        if d.head_seq > last_seq:
            why = (
                f"tail cut off: digest {d.n} vouches for {d.head_seq} records, "
                f"the trail ends at {last_seq}"
            )
            return _Found(i, last_seq + 1, why, True)
        if by_seq.get(d.head_seq) != d.head_hash:
            why = f"record {d.head_seq} differs from what digest {d.n} signed"
            return _Found(i, d.head_seq, why, True)
        prev = d.hash
    return None
