"""The base of every model (backends.models): frozen pydantic models, a source's health,
and the snapshot every source produces. All datetimes are timezone-aware UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


def same_objects(a: Sequence[object], b: Sequence[object]) -> bool:
    """The very same objects, in order: a pointer's cost each, where comparing models
    field by field (pydantic's `==`) costs a dict compare each. A source that keeps the
    models of what did not change (the local grants) makes a poll's diff this cheap."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


# --- health ---


class HealthState(StrEnum):
    OK = "ok"
    STALE = "stale"
    ERROR = "error"
    NO_DATA = "no-data"


class SourceHealth(Model):
    """How much a pane may trust what it shows."""

    state: HealthState = HealthState.NO_DATA
    last_error: str | None = None
    last_ok_at: AwareDatetime | None = None
    interval_s: float = 1.0
    # answering, but something is wrong with the source itself (a plugin whose watch()
    # held the event loop): said on the pane and as a warning alert, whatever the state
    warning: str | None = None
    # NO_DATA from an answering source: when it last had something to count (the last
    # decision counted, the last poll with a value), what its pane says "since"; None if
    # it never had any or cannot tell. The no-data alert is dated from it.
    last_data_at: AwareDatetime | None = None

    def age_s(self, now: datetime) -> float | None:
        """Seconds since the data was last good, or None if it never was."""
        if self.last_ok_at is None:
            return None
        return max(0.0, (now - self.last_ok_at).total_seconds())

    @property
    def answering(self) -> bool:
        """The source answers: OK, or NO_DATA from a source that answered (`last_ok_at`)
        and had nothing to count (a quiet topic, no such series), as a Latency route with
        no series is. NO_DATA without `last_ok_at` is a source not heard from yet."""
        return self.state is HealthState.OK or (
            self.state is HealthState.NO_DATA and self.last_ok_at is not None
        )

    def effective_state(self, now: datetime) -> HealthState:
        """An answering source (OK, or NO_DATA that answered) turns STALE when no good
        update came for three intervals."""
        age = self.age_s(now)
        if self.answering and age is not None and age > 3 * self.interval_s + 1:
            return HealthState.STALE
        return self.state


class Snapshot(Model):
    observed_at: AwareDatetime
    health: SourceHealth
    source: str = ""
