"""The Ed25519 key that signs audit digests, kept 0600 in the data dir, and its public
half next to it (`audit-signing.pub`), which is all that checking the trail needs.

Only the writer creates a key pair, and only for a trail that has nothing signed yet: a
new key for a trail that has digests would make every one of them unverifiable, so a
missing key then refuses the append (and with it the audited action). Checking never
writes a key: it says which file is missing.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import NamedTuple

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from backends.data_dir import make_data_dir

KEY_FILE = "audit-signing.key"
PUB_FILE = "audit-signing.pub"


class SigningKeyMissing(RuntimeError):
    """The signing key is gone while the trail has records: nothing is appended."""


def write_secret(path: Path, data: bytes) -> None:
    """Create `path` 0600 from the start (never readable by others, not even briefly) and
    complete (written to a temporary file, then linked into place). FileExistsError if it
    exists already: the first writer wins."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    finally:
        tmp.unlink()


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _create(data_dir: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        write_secret(data_dir / KEY_FILE, pem)
    except FileExistsError:
        return  # another process won the race; use its key
    pub = data_dir / PUB_FILE
    tmp = pub.with_name(f".{pub.name}.{os.getpid()}.tmp")
    tmp.write_bytes(_public_pem(key.public_key()))
    os.replace(tmp, pub)


def _load_private(path: Path) -> Ed25519PrivateKey:
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return loaded


def key_for_append(data_dir: Path, *, trail_exists: bool) -> Ed25519PrivateKey:
    """The key to sign the next digest with. Created (with its public half) only for a
    trail that has no records yet; SigningKeyMissing when it has."""
    make_data_dir(data_dir)
    path = data_dir / KEY_FILE
    if not path.exists():
        if trail_exists:
            raise SigningKeyMissing(
                f"the audit signing key {path} is missing and the trail has records already:"
                " a new key would leave them unverifiable, so nothing is appended (and no"
                " audited action taken) until it is restored"
            )
        _create(data_dir)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return _load_private(path)


class KeyCheck(NamedTuple):
    """What checking the trail gets of the key files: the public key to check the
    digests' signatures with (None: none to trust, so they are not checked), what is
    wrong with the pair ('' if nothing), and the public key file's fingerprint (SHA-256
    of its raw 32 bytes, hex; '' if there is none to read)."""

    pub: Ed25519PublicKey | None
    problem: str
    fingerprint: str = ""


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex: what `audit verify` prints (its first 16
    digits) to be recorded off the machine, and `--expect-key` is compared with."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def key_for_check(data_dir: Path, *, trail_exists: bool, expect: str = "") -> KeyCheck:
    """The public key to check the digests with, and what is wrong with the key pair: a
    missing public key, a missing signing key (the trail can be checked, not appended
    to), a signing key the public key does not belong to, or (`expect`: the start of
    the fingerprint recorded) a public key that is not the one recorded. Reads only; a
    trail with no records yet needs no key.

    A public key that is not the signing key's, or not the one expected, is not used:
    the signatures it would fail (or pass) say nothing of the trail, only of the key."""
    pub_path = data_dir / PUB_FILE
    pub, problem, paired = _key_pair(data_dir, trail_exists=trail_exists)
    fp = fingerprint(pub) if pub is not None else ""
    if expect and pub is not None and not fp.startswith(expect):
        return KeyCheck(
            None,
            f"the public key {pub_path} is sha256:{fp[:16]}, not the expected"
            f" sha256:{expect[:16]}: the key pair was replaced (and the trail re-signed?)"
            " since the fingerprint was recorded",
            fp,
        )
    if expect and pub is not None:  # the recorded key: its signatures are the ones to check
        return KeyCheck(pub, problem, fp)
    return KeyCheck(pub if paired else None, problem, fp)


def _key_pair(data_dir: Path, *, trail_exists: bool) -> tuple[Ed25519PublicKey | None, str, bool]:
    """The public key (None if it is missing), what is wrong with the pair, and False
    when the signing key is there and the public key is not its own."""
    key_path, pub_path = data_dir / KEY_FILE, data_dir / PUB_FILE
    pub: Ed25519PublicKey | None = None
    if pub_path.exists():
        try:
            loaded = serialization.load_pem_public_key(pub_path.read_bytes())
        except ValueError as exc:
            return None, f"the public key {pub_path} cannot be read ({exc})", True
        if not isinstance(loaded, Ed25519PublicKey):
            return None, f"{pub_path} is not an Ed25519 public key", True
        pub = loaded
    if not trail_exists:
        return pub, "", True
    if pub is None:
        if key_path.exists():
            why = (
                f"the public key {pub_path} is missing, so the digests' signatures were not"
                f" checked; restore it, or recreate it from the signing key: openssl pkey"
                f" -in {key_path} -pubout -out {pub_path}"
            )
            return None, why, True
        why = (
            f"the signing key {key_path} and the public key {pub_path} are both missing,"
            " so the digests' signatures were not checked and nothing can be appended;"
            " restore them from a backup"
        )
        return None, why, True
    if not key_path.exists():
        why = (
            f"the signing key {key_path} is missing: the trail was checked against"
            f" {pub_path}, but nothing can be appended until the key is restored: every"
            " audited action is refused, except taking faults out (HALT ALL, ending a"
            " window, the reconciler's ends), which goes ahead unaudited"
        )
        return pub, why, True
    try:
        private = _load_private(key_path)
    except ValueError as exc:
        return pub, f"the signing key {key_path} cannot be read ({exc})", True
    if _public_pem(private.public_key()) != _public_pem(pub):
        why = (
            f"the signing key {key_path} does not belong to the public key {pub_path}, so"
            " the digests' signatures were not checked (one of the two replaced?); restore"
            " the pair from a backup, or check against the public key whose fingerprint"
            " you recorded (--expect-key)"
        )
        return pub, why, False
    return pub, "", True
