"""The Ed25519 key that signs audit digests, kept 0600 in the data dir (created once)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY_FILE = "audit-signing.key"
PUB_FILE = "audit-signing.pub"


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


def load_or_create_key(data_dir: Path) -> Ed25519PrivateKey:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / KEY_FILE
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            write_secret(path, pem)
        except FileExistsError:
            pass  # another process won the race; use its key
        else:
            pub = key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            (data_dir / PUB_FILE).write_bytes(pub)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return loaded
