"""SQLite files in the data dir: an error opening one names the file, and one opener at
a time sets one up.

sqlite3 says only "file is not a database" or "unable to open database file", and a
pane's health line is where an operator reads it; without the path they cannot tell
which of the data dir's files to look at.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def naming(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise type(exc)(f"{path}: {exc}") from exc


@contextmanager
def opening(path: Path) -> Iterator[None]:
    """One opener at a time sets a database up (WAL, schema): two at once on a fresh data
    dir (the release and grants sources' first polls, or a dashboard and the lab) failed
    "database is locked", which SQLite's busy timeout does not cover for a WAL switch or
    a schema change racing another. A file lock beside it, across processes too."""
    fd = os.open(path.with_name(f".{path.name}.open.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
