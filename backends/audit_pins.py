"""What `audit verify` can be told to expect, from a record kept off the machine: the
public key's fingerprint (`--expect-key`, `audit.expect_key`) and a chain head seen
before (`--expect-head SEQ:HASH`). Pure: parsing, the short forms printed, and what a
head no longer in the chain says.

Without them, verify checks the trail against what the data dir holds, and someone who
can rewrite the data dir (cut the tail from the database *and* the mirror, or re-sign
everything with a new key pair and replace both key files) leaves it consistent. A
fingerprint or a head recorded elsewhere is what they cannot change.
"""

from __future__ import annotations

import re

SHORT = 16  # hex digits printed, and the fewest an expectation may give
_HEX = re.compile(rf"[0-9a-f]{{{SHORT},64}}")


def short_key(fingerprint: str) -> str:
    return f"sha256:{fingerprint[:SHORT]}"


def short_head(seq: int, record_hash: str) -> str:
    return f"{seq}:{record_hash[:SHORT]}"


def parse_key(text: str) -> str:
    """A fingerprint as recorded (`sha256:` and its first 16 or more hex digits, or all
    64): its hex digits, lower case. ValueError when it is not one."""
    digits = text.strip().lower().removeprefix("sha256:")
    if not _HEX.fullmatch(digits):
        raise ValueError(
            f"{text!r} is not a key fingerprint: sha256: and at least {SHORT} hex digits,"
            " as `watchfloor audit verify` prints it"
        )
    return digits


def parse_head(text: str) -> tuple[int, str]:
    """A head as recorded (`SEQ:HASH`, the hash's first 16 or more hex digits): (seq,
    hex digits). ValueError when it is not one."""
    seq, _, digits = text.strip().lower().partition(":")
    if not seq.isdigit() or int(seq) < 1 or not _HEX.fullmatch(digits):
        raise ValueError(
            f"{text!r} is not a chain head: SEQ:HASH, the record's number and at least"
            f" {SHORT} hex digits of its hash, as `watchfloor audit verify` prints it"
        )
    return int(seq), digits


def head_problem(expect: tuple[int, str], found: str | None, last_seq: int) -> str:
    """What is wrong with the trail given the head recorded (`expect`) and the hash its
    record has now (`found`; None: no such record): '' if it is still in the chain."""
    seq, digits = expect
    said = f"{seq}:{digits[:SHORT]}"
    if found is None:
        return (
            f"the recorded head {said} is gone: the trail ends at record {last_seq} (its"
            " tail cut off, from the database and the digest mirror alike?)"
        )
    if not found.startswith(digits):
        return (
            f"record {seq} is not the recorded head {said} (its hash is now"
            f" {found[:SHORT]}): the trail was rewritten and re-signed up to there"
        )
    return ""
