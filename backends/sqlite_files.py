"""SQLite files in the data dir: an error opening one names the file.

sqlite3 says only "file is not a database" or "unable to open database file", and a
pane's health line is where an operator reads it; without the path they cannot tell
which of the data dir's files to look at.
"""

from __future__ import annotations

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
