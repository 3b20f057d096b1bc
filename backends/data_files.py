"""Small files other dashboards on the same data dir share (baselines.json,
alert_episodes.json): read, merged and written under one lock on the data dir, and
written whole or not at all. No Textual here."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """The data dir locked against other saves (of any process) until the block ends."""
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_whole(path: Path, body: str) -> None:
    """`body` (and a newline) as `path`'s whole new content, atomically: a reader sees the
    old file or the new one, never part of it. Raises OSError."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
