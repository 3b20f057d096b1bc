"""Making the data dir: readable by its owner only (0700). It holds the audit trail, the
grants and their reasons, the step-up secret and the signing key; made with the umask's
0755, any user of a shared host could read the trail and the reasons. An existing data
dir is left as it is. No Textual here."""

from __future__ import annotations

from pathlib import Path

MODE = 0o700


def make_data_dir(path: Path) -> Path:
    """`path`, made (with its parents, which get the usual mode) if it is not there yet."""
    path.mkdir(mode=MODE, parents=True, exist_ok=True)
    return path
