"""The break-glass list's columns: which are in view, and a row's text around its live
countdown. Pure functions of the grant, the width and how far the columns are scrolled.

The countdown always shows. `skip` scrolls the other columns (id, subject, role, by,
reason) out of view from the left, one per step: at 0 the id comes first, then the
countdown; from 1 the countdown comes first. A pane too narrow for the id, the countdown,
the subject and the role starts at 1 (NARROW): who holds which access matters more there
than its id, which its details (Enter), the revoke dialog and `watchfloor grants list`
show. (With the id, the pane at 160 columns cut every role: "sre-oncal…", "prod-depl…".)
"""

from __future__ import annotations

from datetime import datetime

from backends.models import Grant
from tui.fmt import duration

# (label, width); reason, the last column, takes what is left
COLUMNS: tuple[tuple[str, int], ...] = (
    ("id", 12),
    ("expires in", 13),
    ("subject", 22),
    ("role", 14),
    ("by", 10),
)
ID_W, COUNTDOWN_W, SUBJECT_W, ROLE_W = (w for _, w in COLUMNS[:4])
NARROW = ID_W + COUNTDOWN_W + SUBJECT_W + ROLE_W + 3
TITLES = ("id", "subject", "role", "by", "reason")
MAX_SKIP = 4  # id, subject, role and by scrolled away: the countdown and the reason


def countdown(g: Grant, now: datetime) -> str:
    secs = g.remaining(now).total_seconds()
    if secs <= 0:
        return f"EXPIRED {duration(-secs)}"
    return duration(secs)


def cell(text: str, width: int, right: bool = False) -> str:
    if len(text) > width:
        text = text[: max(0, width - 1)] + "…"
    return text.rjust(width) if right else text.ljust(width)


def auto_skip(width: int) -> int:
    """Where the columns start at this width, before any key is pressed."""
    return 1 if width < NARROW else 0


def countdown_x(skip: int) -> int:
    """The countdown column's offset (what the once-a-second tick repaints)."""
    return 0 if skip else ID_W + 1


def _after(values: tuple[str, str, str], reason: str, skip: int) -> str:
    """The columns after the countdown: subject, role, by, then the reason."""
    shown = [cell(v, w) for v, (_, w) in zip(values, COLUMNS[2:], strict=True)]
    return " ".join(["", *shown[max(0, skip - 1) :], reason])


def row_parts(g: Grant | None, skip: int) -> tuple[str, str]:
    """A row's text left and right of the countdown (not yet cut to the pane); with no
    grant, the column titles."""
    gid, subject, role, by, reason = (
        (g.id, g.subject, g.role, g.granted_by, g.reason) if g else TITLES
    )
    head = "" if skip else f"{cell(gid, ID_W)} "
    return head, _after((subject, role, by), reason, skip)


def header_text(width: int, skip: int) -> str:
    """The column titles at this width: `◂` after the countdown when columns are scrolled
    out of view on the left, `▸` at the border when the titles do not all fit."""
    head, tail = row_parts(None, skip)
    text = head + "expires in".rjust(COUNTDOWN_W) + tail
    if skip and len(text) > COUNTDOWN_W:
        text = text[:COUNTDOWN_W] + "◂" + text[COUNTDOWN_W + 1 :]
    if len(text) > width > 0:
        text = text[: width - 1] + "▸"
    return text[:width].ljust(width)


def cut(width: int, skip: int) -> bool:
    """Whether the titles at this skip are wider than `width` (→ can scroll further)."""
    return len(header_text(10_000, skip).rstrip()) > width
