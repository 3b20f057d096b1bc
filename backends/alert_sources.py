"""A pane's source as an alert (pure): down (failing, or stale) at once; with no data
(answering with nothing to count: a dead publisher, a quiet topic; or not heard from yet)
once that has lasted NO_DATA_GRACE, so a normal start, where a source answers within a
second or two, raises nothing. Both are one alert per source (`source_key`): a broker
that comes back with nobody publishing goes on as the same alert, not a new one.

And the mark on an alert kept while its pane has no fresh data: "(no data since
20:31:02Z)", the time of its figures; "(as of 20:31:02Z)" when the pane shows later ones,
and on a strip too narrow for the long mark. Such an alert is neither raised nor cleared
until data says so (backends/alerts.py's AlertBook).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backends.durations import duration
from backends.models import Alert, AlertKind, HealthState, Snapshot

NO_DATA_GRACE = timedelta(seconds=60)


def source_key(pane: str) -> str:
    return f"source:{pane}"


def is_live(snap: Snapshot, now: datetime) -> bool:
    """Fresh data to judge: the source answered with something in it."""
    return snap.health.effective_state(now) is HealthState.OK


def is_down(snap: Snapshot, now: datetime) -> bool:
    return snap.health.effective_state(now) in (HealthState.ERROR, HealthState.STALE)


def down_alert(pane: str, snap: Snapshot, now: datetime) -> Alert:
    return Alert(
        kind=AlertKind.SOURCE_DOWN,
        key=source_key(pane),
        raised_at=now,
        message=f"{pane} ({snap.source}): {snap.health.last_error or 'no fresh data'}",
    )


def warning_alerts(pane: str, snap: Snapshot, now: datetime) -> list[Alert]:
    """A source that answers but misbehaves (a plugin whose watch() held the event loop,
    backends/plugin_guard.py): a warning, whatever its data says."""
    if not snap.health.warning:
        return []
    return [
        Alert(
            kind=AlertKind.SOURCE_WARNING,
            key=f"source-warning:{pane}",
            raised_at=now,
            message=f"{pane} ({snap.source}): {snap.health.warning}",
        )
    ]


def _coarse(td: timedelta) -> str:
    """ "1m", "12m", "1h05m": it changes once a minute, not every second."""
    s = td.total_seconds()
    return f"{int(s // 60)}m" if 60 <= s < 3600 else duration(td)


def no_data_since_when(snap: Snapshot) -> datetime | None:
    """When an answering source with no data last had some, as it says it (its pane's
    "since": the last decision counted, the last poll with a value); None if it does not."""
    health = snap.health
    return health.last_data_at if health.state is HealthState.NO_DATA else None


def no_data_alert(pane: str, snap: Snapshot, now: datetime, since: datetime) -> Alert:
    """ "access (mqtt): no data for 2m: no decisions received on ... since 20:31:02Z",
    dated when its data was last seen: as its source says it (`no_data_since_when`), or
    when this dashboard last saw some (or first saw the source, never having any)."""
    health = snap.health
    why = health.last_error or ("" if health.answering else "not answered yet")
    return Alert(
        kind=AlertKind.SOURCE_NO_DATA,
        key=source_key(pane),
        raised_at=min(since, now),
        raised_from="data" if since == no_data_since_when(snap) else "seen",
        message=f"{pane} ({snap.source}): no data for {_coarse(now - since)}"
        + (f": {why}" if why else ""),
    )


def _at(t: datetime) -> str:
    return f"{t.astimezone(UTC):%H:%M:%S}Z"


def no_data_since(a: Alert, since: datetime, newer: bool = False) -> Alert:
    """`a` kept from its pane's last data, its figures those of `since`, marked so, first
    (at 80 columns the strip cuts the end of a message off): "(no data since 20:31:02Z)";
    "(as of 20:31:02Z)" when its pane shows later figures (late data that no longer says
    it, which neither clears nor raises an alert)."""
    mark = f"(as of {_at(since)})" if newer else f"(no data since {_at(since)})"
    return a.model_copy(update={"message": f"{mark} {a.message}", "held_at": since})


def short_message(a: Alert) -> str:
    """The message for a narrow strip: a kept alert's "(no data since 20:31:02Z)" mark
    shortened to "(as of 20:31:02Z)", so its figures stay in view ("tenant=globex 4…")."""
    if a.held_at is None:
        return a.message
    mark = f"(no data since {_at(a.held_at)}) "
    if not a.message.startswith(mark):
        return a.message
    return f"(as of {_at(a.held_at)}) {a.message[len(mark) :]}"
