"""Alerts going on, kept in the data dir, so that one with no time of its own in its data
(a deny spike, a p99.9 over its SLO, a source down) is the same alert after a restart.

An alert's identity is its key (its rule and subject: "access", "slo:GET /search",
"source:latency") and since when it has gone on: an ack is recorded with both
(backends/alert_acks.py). A dashboard keeps its alerts' episodes in `alert_episodes.json`
(per profile and environment: `episode_scope`), with when each was last seen going on.
One started while an episode still goes on, seen within EPISODE_GAP, carries it on from
its start (backends/alerts.py's AlertBook), and the ack recorded with that start shows
again. One seen to clear is dropped from the file: if it comes back it is a new episode,
and so is one nobody saw for longer than EPISODE_GAP (it may have cleared and come back
meanwhile), neither acknowledged.

Written atomically under a lock on the data dir (as backends/baseline_store.py), merged
with what other dashboards on the same data dir keep. Reading never raises: an unreadable
file is no episode. No Textual here: tui/alert_actions.py reads it at start and writes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from backends.data_dir import make_data_dir
from backends.data_files import locked, write_whole

FILE_NAME = "alert_episodes.json"
VERSION = 1
# Seen going on this recently, an episode is still the same one: a restart, or a handover
# to the next dashboard. Longer, it may have cleared and come back unseen.
EPISODE_GAP = timedelta(minutes=2)
SAVE_EVERY = timedelta(seconds=15)  # when nothing changed, to say it still goes on


class Episode(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    kind: str  # AlertKind's value, for a person reading the file
    since: AwareDatetime
    seen_at: AwareDatetime  # last seen going on, in fresh data
    pane: str = ""  # whose data raises it: fresh data without it says it is over


def episode_scope(profile: str, environment: str) -> str:
    return f"profile={profile or '-'} environment={environment}"


def _scopes(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    scopes = doc.get("episodes") if isinstance(doc, dict) else None
    if not isinstance(scopes, dict):
        raise ValueError("not an alert episodes file")
    return scopes


def _current(entries: Any, now: datetime) -> dict[str, Episode]:
    """The episodes of one scope seen within EPISODE_GAP of `now`; others left out."""
    found: dict[str, Episode] = {}
    if not isinstance(entries, dict):
        return found
    for key, entry in entries.items():
        try:
            ep = Episode.model_validate(entry)
        except ValidationError:
            continue
        if now - ep.seen_at <= EPISODE_GAP:
            found[str(key)] = ep
    return found


def load_episodes(data_dir: Path, scope: str, now: datetime) -> dict[str, Episode]:
    """The episodes of `scope` still going on at `now` ({} for none, or no readable file)."""
    try:
        return _current(_scopes(data_dir / FILE_NAME).get(scope), now)
    except (OSError, ValueError):
        return {}


def save_episodes(
    data_dir: Path,
    scope: str,
    episodes: Mapping[str, Episode],
    gone: Iterable[str],
    now: datetime,
) -> None:
    """Keep `episodes` in `scope`, drop those `gone` (seen to clear) and those not seen
    for EPISODE_GAP; other dashboards' and scopes' entries stay. Raises OSError."""
    make_data_dir(data_dir)
    path = data_dir / FILE_NAME
    with locked(data_dir):
        try:
            scopes = _scopes(path)
        except (OSError, ValueError):
            scopes = {}
        mine = _current(scopes.get(scope), now)
        for key in gone:
            mine.pop(key, None)
        mine.update(episodes)
        scopes[scope] = {k: ep.model_dump(mode="json") for k, ep in sorted(mine.items())}
        body = json.dumps({"version": VERSION, "episodes": scopes}, indent=2, sort_keys=True)
        write_whole(path, body)
