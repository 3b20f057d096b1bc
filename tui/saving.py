"""Writing a file the user asked for (`x` report, ctrl+s screenshot): a toast that names
the file whole on its own line, or says why it could not be written. A full disk or an
unwritable directory never ends the dashboard.

A generated name (a timestamp to the second) never replaces a file: two dashboards on one
data dir saving in the same second wrote one file, the second over the first, and both
toasts named it. The file is created exclusively; on a clash the name gets -2, -3 …"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_TRIES = 1000  # names tried before giving up (an OSError, said in the error toast)


def write_new(directory: Path, stem: str, suffix: str, text: str) -> Path:
    """Write `text` to a new file directory/stem+suffix, or stem-2+suffix, stem-3 … if
    that exists (never replaced). Returns the file written; a half-written one is removed."""
    for n in range(1, MAX_TRIES + 1):
        path = directory / f"{stem}{f'-{n}' if n > 1 else ''}{suffix}"
        try:
            f = path.open("x", encoding="utf-8")
        except FileExistsError:
            continue
        try:
            with f:
                f.write(text)
        except OSError:
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        return path
    raise FileExistsError(f"{stem}{suffix} and {MAX_TRIES - 1} numbered copies already exist")


def save(app: Any, what: str, directory: Path, write: Callable[[], Path]) -> Path | None:
    """Make `directory`, run `write` (returns the file written) and say so in a toast;
    on OSError, an error toast naming the directory and why. Returns the file, or None."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = write()
    except OSError as exc:
        why = exc.strerror or str(exc)
        app.notify(
            f"{what} could not be written to {directory}: {why}",
            title=f"{what} not saved",
            severity="error",
            timeout=10,
        )
        return None
    app.notify(f"Saved {path.name}\nin {path.parent}", title=what)
    return path
