"""The alert acks among the audit trail's newest records, so that a running dashboard shows
an ack made on another one (bob's `a`) within a poll, not only after a restart.

Nothing reads the trail for this: the grants poll already reads the records appended since
its last poll (backends/local/grant_audit.py's GrantIndex), and hands its `alert-ack` rows
here. `recent` gives the acks made lately (the snapshot carries them:
GrantsSnapshot.acks), each as `trail_acks` would read it (backends/alert_acks.py): an
applied outcome, by its request's time, the alert named by its key and since.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backends.actions import APPLIED
from backends.audit_text import who
from backends.local.db import from_db_time
from backends.models import TrailAck


def _details(text: str) -> dict[str, str]:
    try:
        d = json.loads(text)
    except ValueError:
        return {}  # not as the store writes it: the chain check reports the record
    return {str(k): str(v) for k, v in d.items()} if isinstance(d, dict) else {}


def _aware(text: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


@dataclass
class AckTail:
    """The acks in the records read so far, by record id, until `recent` lets them go."""

    acks: dict[str, TrailAck] = field(default_factory=dict)
    _requests: dict[str, tuple[datetime, dict[str, str]]] = field(default_factory=dict)

    def add(self, row: Sequence[Any]) -> None:
        """One `alert-ack` row of the grants poll's query (seq, id, at, actor, action, phase,
        target, outcome, details)."""
        _, rid, at, actor, _, phase, target, outcome, details = row
        if phase == "request":
            self._requests[rid] = (from_db_time(at), _details(details))
            return
        requested_at, asked = self._requests.pop(rid, (from_db_time(at), {}))
        said = {**asked, **_details(details)}
        since = _aware(said.get("since", ""))
        if outcome != APPLIED or since is None:
            return
        self.acks[rid] = TrailAck(
            key=target,
            since=since,
            actor=actor,
            at=requested_at,
            who=who(actor, said),
            alert=said.get("alert", ""),
        )

    def recent(self, since: datetime) -> tuple[TrailAck, ...]:
        """The acks made from `since` on, oldest first; older ones are let go (and requests
        that had no outcome by then)."""
        self.acks = {rid: a for rid, a in self.acks.items() if a.at >= since}
        self._requests = {rid: r for rid, r in self._requests.items() if r[0] >= since}
        return tuple(sorted(self.acks.values(), key=lambda a: a.at))
