"""The marked p99.9 baseline, kept in the data dir so that it survives a restart.

One small JSON file, `baselines.json`, holds one entry per profile / environment / latency
source (`baseline_key`), so a baseline marked on prod is never applied to stage, nor one
of the local simulation to Prometheus. An entry is the baseline (when it was marked, p99.9
per route), the first p99.9 the run that marked it saw (the report's "first seen"), and
the fault windows whose latency it includes, if it was marked anyway during one. It
is written atomically (a temporary file in the same directory, then `os.replace`): a crash
mid-write leaves the old file, never half a file. A save holds an exclusive lock on the
data dir (flock) from its read to its replace, so two dashboards marking baselines at once
on one data dir keep both entries.

Reading never raises: an unreadable file or entry comes back as a `problem` to show, and
an entry older than MAX_AGE as `stale`. Saving never overwrites an unreadable file: it is
moved aside first (`Saved.moved` says where). No Textual here: the app reads it at start and
after a profile switch and writes it on `b` (tui/baseline_actions.py); while it runs, it
reads it again when its `file_stamp` changed, for a baseline another dashboard marked
(tui/baseline_follow.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from backends.data_dir import make_data_dir
from backends.data_files import locked, write_whole

FILE_NAME = "baselines.json"
VERSION = 1
MAX_AGE = timedelta(hours=24)  # an older baseline is from another game day: not restored

Ms = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class P999Mark(BaseModel):
    """p99.9 per route at one moment."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    at: AwareDatetime
    p999_ms: dict[str, Ms]


class KeptBaseline(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    baseline: P999Mark
    first_seen: P999Mark | None = None  # the first p99.9 of the run that marked it
    # marked anyway while a fault injected, as the report says it: "during fault window
    # 464fad7a on stage/docs-api"; "" : no fault's latency was in its p99.9
    during: str = ""
    marked_by: str = ""  # who marked it (ui.actor): what another dashboard taking it says
    # what the key is made of, for a person reading the file
    profile: str = ""
    environment: str = ""
    latency_source: str = ""


@dataclass(frozen=True)
class Found:
    """What `load_baseline` found for one key: a baseline to restore, one too old to
    restore (`stale`), why the file could not be read (`problem`), or nothing."""

    kept: KeptBaseline | None = None
    stale: KeptBaseline | None = None
    problem: str = ""


def baseline_key(profile: str, environment: str, latency_source: str) -> str:
    return f"profile={profile or '-'} environment={environment} latency={latency_source}"


def store_path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def file_stamp(data_dir: Path) -> tuple[int, int] | None:
    """The file's modification time (ns) and size, None without one: a stat, so that a
    running dashboard reads the file again only once another one has written it."""
    try:
        st = store_path(data_dir).stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _entries(path: Path) -> dict[str, Any]:
    """The file's entries by key. Raises OSError or ValueError (unreadable, not ours)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    entries = doc.get("baselines") if isinstance(doc, dict) else None
    if not isinstance(entries, dict):
        raise ValueError('not a baselines file (expected {"version": 1, "baselines": {...}})')
    return entries


def load_baseline(data_dir: Path, key: str, now: datetime, max_age: timedelta = MAX_AGE) -> Found:
    path = store_path(data_dir)
    try:
        entries = _entries(path)
    except FileNotFoundError:
        return Found()
    except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeError are ValueErrors
        return Found(problem=f"{path}: {type(exc).__name__}: {exc}")
    if key not in entries:
        return Found()
    try:
        kept = KeptBaseline.model_validate(entries[key])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return Found(problem=f"{path}: entry {key!r}: {where}: {first['msg']}")
    if now - kept.baseline.at > max_age:
        return Found(stale=kept)
    return Found(kept=kept)


@dataclass(frozen=True)
class Saved:
    """Where `save_baseline` kept it, and `moved`: what it did with a file it could not
    read ("" when there was none), for the toast and the timeline to say."""

    path: Path
    moved: str = ""


def save_baseline(data_dir: Path, key: str, kept: KeptBaseline) -> Saved:
    """Keep `kept` under `key`, and the other keys' entries as they are, also those another
    process saves meanwhile. An unreadable file is not overwritten: it is moved aside to
    `baselines.json.unreadable` (a person may want its other entries), and `moved` says
    so. Raises OSError when the file cannot be written."""
    make_data_dir(data_dir)
    with locked(data_dir):
        return _save(data_dir, key, kept)


def _save(data_dir: Path, key: str, kept: KeptBaseline) -> Saved:
    path = store_path(data_dir)
    moved = ""
    try:
        entries = _entries(path)
    except FileNotFoundError:
        entries = {}
    except (OSError, ValueError) as exc:
        entries = {}
        if path.is_file():  # not a directory in its place: writing fails on that, and says
            aside = path.with_name(f"{FILE_NAME}.unreadable")
            os.replace(path, aside)  # an OSError here: not kept, and said so
            why = f"{type(exc).__name__}: {exc}"
            moved = f"{path} could not be read ({why}): moved to {aside.name}"
    entries[key] = kept.model_dump(mode="json")
    body = json.dumps({"version": VERSION, "baselines": entries}, indent=2, sort_keys=True)
    write_whole(path, body)
    return Saved(path, moved)
