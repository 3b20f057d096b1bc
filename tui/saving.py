"""Writing a file the user asked for (`x` report, ctrl+s screenshot): a toast that names
the file whole on its own line, or says why it could not be written. A full disk or an
unwritable directory never ends the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


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
