"""The audit hash chain and its signed digests: pure functions, no I/O.

Each record's hash is SHA-256 over the canonical JSON of its fields, the previous
record's hash included, so editing, deleting or reordering any record breaks the chain.
A digest signs the chain head (seq and hash) with Ed25519 and names the previous digest's
hash, so deleting records from the end (which leaves a valid, shorter chain) is caught
too: a signed digest then vouches for a record that is no longer there.

`verify` streams: it takes the records one at a time, as `Link`s (a store builds them
straight from its rows, so a long trail is checked without a model object per record) or
as AuditRecords, and the digests one at a time, each with the hash of the record it
vouches for (`Vouched`); it keeps only the running state (the last hash, the last
digest), so a trail of any length is checked in the same memory.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import islice
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
    return _walk(records, from_one=False)[1]


def _walk(
    records: Iterable[AuditRecord | Link], *, from_one: bool
) -> tuple[int, tuple[int, str] | None]:
    """(the last seq, the first break or None), reading `records` once; `from_one`: the
    first must be record 1."""
    prev = GENESIS
    expected_seq: int | None = None
    sha256 = hashlib.sha256
    for rec in records:
        link = rec if isinstance(rec, Link) else link_of(rec)
        if expected_seq is None:
            if from_one and link.seq != 1:
                return 0, (1, f"record 1 is missing (the trail starts at {link.seq})")
        elif link.seq != expected_seq:
            if link.seq > expected_seq:
                return 0, (expected_seq, f"record {expected_seq} is missing (deleted?)")
            why = f"sequence out of order: expected {expected_seq}, found {link.seq}"
            return 0, (link.seq, why)
        if link.prev_hash != prev:
            why = "previous-hash link broken (record moved, or one before it removed)"
            return 0, (link.seq, why)
        if sha256(link.body).hexdigest() != link.hash:
            return 0, (link.seq, "record content does not match its hash (edited)")
        prev = link.hash
        expected_seq = link.seq + 1
    return (expected_seq or 1) - 1, None


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


class Vouched(NamedTuple):
    """A digest, and the hash of the record at its `head_seq` as the trail has it (None:
    the trail has no such record)."""

    digest: Digest
    record_hash: str | None


def verify(
    records: Iterable[AuditRecord | Link],
    digests: Callable[[], Iterable[Vouched]],
    key: Ed25519PublicKey | None,
    counts: tuple[int, int],
) -> AuditVerification:
    """Check the chain, then every digest against the record it vouches for (and its
    signature, given the public `key`; without one, everything else is still checked).

    `records`, by seq, are read once. `digests()` gives the digests by n, each with the
    hash its head record has in the trail (compared only once the chain is found whole:
    then it is the hash just recomputed); it is read once, and again up to the first
    digest found wrong only when a signature fails, to name the first that does.
    `counts`: how many records and digests there are, for the result.

    The first bad record is the one to name: for an edit, the edited record; for a
    deletion, the first missing seq; for a reorder, the first record out of place; for a
    cut tail, the first record after the end that a signed digest vouches for.
    """
    n_rec, n_dig = counts

    def bad(seq: int | None, why: str) -> AuditVerification:
        return AuditVerification(
            ok=False, records=n_rec, digests=n_dig, first_bad_seq=seq, problem=why
        )

    last_seq, broken = _walk(records, from_one=True)
    if broken is not None:
        return bad(*broken)
    found, last_good = _first_bad_digest(digests(), last_seq)
    if key is not None:
        unsigned = _first_unsigned(digests, found, last_good, key)
        if unsigned is not None:
            return bad(unsigned.head_seq, f"digest {unsigned.n}: signature does not verify")
    if found is not None:
        return bad(found.seq, found.why)
    signed_to = last_good.head_seq if last_good is not None else 0
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
    digest: Digest
    signature_first: bool  # its signature is checked before this (so a bad one is named)


def _first_unsigned(
    digests: Callable[[], Iterable[Vouched]],
    found: _Found | None,
    last_good: Digest | None,
    key: Ed25519PublicKey,
) -> Digest | None:
    """The first digest whose signature does not verify, up to the first one found wrong
    otherwise (that one included if its signature is checked first), or None.

    The digests before the one found wrong (all of them if none is) make an unbroken
    chain: each digest's hash is right and names the one before it, and a digest's hash
    covers its signature. So a good signature on the last of them (`last_good`) vouches
    for every one before it (changing or forging any of them changes every hash after
    it, up to the signed one), and only that one is checked, unless it fails; then they
    are read again and checked one by one, to name the first that fails."""
    if last_good is not None and not _signed(last_good, key):
        ends = found.position if found is not None else None
        chain = (v.digest for v in islice(digests(), ends))
        return next((d for d in chain if not _signed(d, key)), last_good)
    if found is not None and found.signature_first and not _signed(found.digest, key):
        return found.digest
    return None


def _first_bad_digest(
    digests: Iterable[Vouched], last_seq: int
) -> tuple[_Found | None, Digest | None]:
    """The first digest wrong in anything but its signature (or None), and the digest
    before it (the last one, if none is; None if there is none)."""
    prev = GENESIS
    last_good: Digest | None = None
    for i, (d, record_hash) in enumerate(digests):
        if d.n != i + 1:
            why = f"digest {i + 1} is missing (found digest {d.n})"
            return _Found(i, None, why, d, False), last_good
        problem = _link_problem(d, prev)
        if problem:
            return _Found(i, d.head_seq, problem, d, True), last_good
        if d.head_seq > last_seq:
            why = (
                f"tail cut off: digest {d.n} vouches for {d.head_seq} records, "
                f"the trail ends at {last_seq}"
            )
            return _Found(i, last_seq + 1, why, d, True), last_good
        if record_hash != d.head_hash:
            why = f"record {d.head_seq} differs from what digest {d.n} signed"
            return _Found(i, d.head_seq, why, d, True), last_good
        prev = d.hash
        last_good = d
    return None, last_good
