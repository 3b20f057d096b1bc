"""Small text formatters shared by panes and headless output. Pure functions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from rich.text import Text

from backends.durations import duration as duration  # the panes' too
from backends.durations import latency as latency  # the alerts' and the report's too
from backends.durations import ms as ms
from backends.models import HealthState, SourceHealth

HEALTH_STYLE = {
    HealthState.OK: ("●", "green"),
    HealthState.STALE: ("◐", "yellow"),
    HealthState.ERROR: ("✖", "red"),
    HealthState.NO_DATA: ("○", "grey50"),
}


def ago(td: timedelta) -> str:
    """How long ago, as coarse as a person reads it: 45s, 12m, 3h, 2d. A coarse unit also
    changes less often, so "ago" texts repaint once a minute, not every second."""
    s = int(td.total_seconds())
    if s < 60:
        return f"{max(s, 0)}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def pct(ratio: float, digits: int = 1) -> str:
    return f"{ratio * 100:.{digits}f}%"


def cause_only(error: str) -> str:
    """An error without where and when: "connection refused" for "connection refused
    (127.0.0.1:9090)", "HTTP 500: oops" for "HTTP 500 from 127.0.0.1:8181: oops", and no
    "; retry in 1.2s". What a narrow subtitle keeps; the alert and `A` keep the rest."""
    return _RETRY.sub("", _FROM_HOST.sub("", _HOST.sub("", error))).strip() or error


_HOST = re.compile(r" \((?:\[[0-9a-fA-F:.]+\]|[\w-]+(?:\.[\w-]+)+|[\w-]+:\d+)(?::\d+)?\)")
_FROM_HOST = re.compile(r" from (?:\[[0-9a-fA-F:.]+\]|[\w-]+(?:\.[\w-]+)+)(?::\d+)?(?=:|$)")
_RETRY = re.compile(r";? *retry in [0-9.]+ ?s$")
MIN_CAUSE = 12  # cells of a cut cause worth keeping beside the age
WARNING_GLYPH = "⚠"  # an answering source with a warning (it blocked the dashboard)
UNLIMITED = 1 << 30


def health_text(health: SourceHealth, now: datetime, source: str, width: int | None = None) -> Text:
    """A pane's border subtitle: "● ok · prometheus"; when not ok, what is wrong first
    (the error's cause, or "stale"), then the data's age, then the source:
    "✖ connection refused (127.0.0.1:9090) · data 1m09s old · prometheus". In `width`
    cells it drops the host, the source, then words, before it drops the cause: at 80
    columns "✖ connection refused · data 1m09s old" (it read "data 1m09…")."""
    state = health.effective_state(now)
    glyph, style = HEALTH_STYLE[state]
    if state is HealthState.OK and health.warning:  # answering, but the source misbehaves
        return _fitted(WARNING_GLYPH, "yellow", (health.warning, source), width)
    if state is HealthState.OK:
        return Text.assemble((f"{glyph} {state.value}", style), f" · {source}")
    age = health.age_s(now)
    old = f"data {duration(age)} old" if age is not None else "no data yet"
    brief = f"{duration(age)} old" if age is not None else "no data"
    what = health.last_error or state.value
    short = cause_only(what)
    tries = [(what, old, source), (short, old, source), (short, old), (short, brief)]
    if state is HealthState.NO_DATA and not health.last_error:  # not failing: not there yet
        tries, short = [(old, source), (old,)], old
    elif state is HealthState.NO_DATA and health.answering:  # nothing came: the pane says why
        tries, short = [("no data", source), ("no data",)], "no data"
    limit = UNLIMITED if width is None else width
    for parts in tries:
        text = _assembled(glyph, style, parts)
        if text.cell_len <= limit:
            return text
    room = limit - len(f"{glyph} ")
    if len(short) <= room:  # the whole cause rather than "connection …" and the age
        return _assembled(glyph, style, (short,))
    if room - len(f" · {brief}") >= MIN_CAUSE:  # a long cause, cut, and the age
        return _assembled(glyph, style, (cut(short, room - len(f" · {brief}")), brief))
    return _assembled(glyph, style, (cut(short, room),))


def _fitted(glyph: str, style: str, parts: tuple[str, str], width: int | None) -> Text:
    """What, and the source if it fits, in `width` cells: what cut rather than lost."""
    whole = _assembled(glyph, style, parts)
    if width is None or whole.cell_len <= width:
        return whole
    return _assembled(glyph, style, (cut(parts[0], width - len(f"{glyph} ")),))


def _assembled(glyph: str, style: str, parts: tuple[str, ...]) -> Text:
    head, *rest = parts
    return Text.assemble((f"{glyph} {head}", style), *(f" · {p}" for p in rest))


def cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, ending in … where it is cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def form_read_only(close_key: str = "") -> str:
    """A form submitted after a switch to a read-only profile: it stays open, nothing is
    sent, and `close_key` closes it (as [keys] has it; none: the form is closed)."""
    closes = f" ({close_key} closes)" if close_key else ""
    return f"Read-only mode now: nothing can be changed from here{closes}."
