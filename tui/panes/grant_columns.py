"""The break-glass list's columns: which are in view, how wide, and a row's text around
its live countdown. Pure functions of the grants, the width and how far the columns are
scrolled.

The countdown always shows. `skip` scrolls the other columns (id, subject, role, by,
reason) out of view from the left, one per step: at 0 the id comes first, then the
countdown; from 1 the countdown comes first. The subject, role and granted-by columns are
as wide as what the grants listed hold (`Widths.of`), so no column is padded with blanks
while the next one is cut. Where the subject and the whole role do not both fit, the
subject gives way first (down to SUBJECT_MIN): who holds *which role* is what the pane is
for. A pane too narrow for the id, the countdown, the subject and the role starts at 1: who
holds which access matters more there than its id, which its details (Enter), the revoke
dialog and `watchfloor grants list` show. (With fixed widths the pane at 120 columns cut
every role, "sre-on…", beside a subject column padded with 5 blanks.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from rich.cells import cell_len, set_cell_size

from backends.models import Grant
from backends.text_safe import shown
from tui.fmt import duration

ID_W = 12
COUNTDOWN_TITLE = "expires in"
COUNTDOWN_W = len(COUNTDOWN_TITLE)  # "1h34m", "29m56s": a title wider than any countdown
EXPIRED_W = len("EXPIRED 59m59s")  # while a grant listed is past its expiry
TITLES = ("id", "subject", "role", "by", "reason")
SOON_S = 300  # a countdown under five minutes is marked, and yellow
SOON_MARK = "⚠"  # "⚠ 4m59s": expiring soon without colour too (NO_COLOR, 16 colours)
AUDIT_MARK = "!"  # a grant not as the audit trail records it (edited or inserted by hand)
MAX_SKIP = 4  # id, subject, role and by scrolled away: the countdown and the reason
# the most a column is widened to for its longest value (longer ones end in "…")
SUBJECT_MAX, ROLE_MAX, BY_MAX = 32, 20, 16
SUBJECT_MIN = 12  # narrower than this, the subject is no longer worth the role's room
PART_MIN = 4  # a column with fewer cells in view than this is left out ("s…" says nothing)


@dataclass(frozen=True)
class Widths:
    """The columns' widths. The defaults: what no grants (the titles alone) need."""

    countdown: int = COUNTDOWN_W
    subject: int = len("subject")
    role: int = len("role")
    by: int = len("by")

    @classmethod
    def of(cls, grants: Sequence[Grant], expired: bool = False) -> Widths:
        """As wide as the longest value of each column (capped), and its title."""

        def widest(values: Iterable[str], title: str, most: int) -> int:
            return min(most, max(len(title), max(map(len, values), default=0)))

        return cls(
            countdown=EXPIRED_W if expired else COUNTDOWN_W,
            subject=widest({subject_text(g) for g in grants}, "subject", SUBJECT_MAX),
            role=widest({shown(g.role) for g in grants}, "role", ROLE_MAX),
            by=widest({shown(g.granted_by) for g in grants}, "by", BY_MAX),
        )

    def fit(self, width: int, skip: int) -> Widths:
        """At `width` cells with `skip` columns scrolled away: the subject narrowed (not
        below SUBJECT_MIN) where that keeps the role whole."""
        if skip > 1:  # the subject is out of view
            return self
        head = ID_W + 1 if skip == 0 else 0
        over = head + self.countdown + 1 + self.subject + 1 + self.role - width
        if over <= 0 or self.subject - over < SUBJECT_MIN:
            return self
        return replace(self, subject=self.subject - over)


def subject_text(g: Grant) -> str:
    """The subject, after `!` for a grant not as the audit trail records it."""
    subject = shown(g.subject)
    return f"{AUDIT_MARK} {subject}" if g.audit_problem else subject


def reason_text(g: Grant) -> str:
    """The reason, after why a grant is not as the audit trail records it (if it is not):
    "! not in the audit trail · INC-4711 ...". The reason column is always in view."""
    reason = shown(g.reason)
    return f"{AUDIT_MARK} {g.audit_problem} · {reason}" if g.audit_problem else reason


def countdown(g: Grant, now: datetime) -> str:
    secs = g.remaining(now).total_seconds()
    if secs <= 0:
        return f"EXPIRED {duration(-secs)}"
    if secs < SOON_S:
        return f"{SOON_MARK} {duration(secs)}"  # "⚠ 4m59s": within COUNTDOWN_W
    return duration(secs)


def cell(text: str, width: int, right: bool = False) -> str:
    if len(text) > width:
        text = text[: max(0, width - 1)] + "…"
    return text.rjust(width) if right else text.ljust(width)


def auto_skip(width: int, w: Widths) -> int:
    """Where the columns start at this width, before any key is pressed: with the id when
    the id, the countdown, the subject and the whole role fit beside it."""
    return 1 if width < ID_W + 1 + w.countdown + 1 + w.subject + 1 + w.role else 0


def countdown_x(skip: int) -> int:
    """The countdown column's offset (what the once-a-second tick repaints)."""
    return 0 if skip else ID_W + 1


def _after(values: tuple[str, str, str], reason: str, skip: int, w: Widths) -> str:
    """The columns after the countdown: subject, role, by, then the reason."""
    shown = [cell(v, n) for v, n in zip(values, (w.subject, w.role, w.by), strict=True)]
    return " ".join(["", *shown[max(0, skip - 1) :], reason])


def stops(skip: int, w: Widths) -> tuple[int, ...]:
    """Where in a row's text after the countdown (`row_parts`' tail) each column shown
    before the reason ends: a row cut there cuts no value."""
    at, ends = 0, []
    for width in (w.subject, w.role, w.by)[max(0, skip - 1) :]:
        at += 1 + width
        ends.append(at)
    return tuple(ends)


def row_parts(g: Grant | None, skip: int, w: Widths) -> tuple[str, str]:
    """A row's text left and right of the countdown (not yet cut to the pane); with no
    grant, the column titles. `w`: as fitted to the width (`Widths.fit`)."""
    gid, subject, role, by, reason = (
        # from the store: a control character in them is shown, not sent (text_safe)
        (shown(g.id), subject_text(g), shown(g.role), shown(g.granted_by), reason_text(g))
        if g
        else TITLES
    )
    head = "" if skip else f"{cell(gid, ID_W)} "
    return head, _after((subject, role, by), reason, skip, w)


def fitted_parts(g: Grant, width: int, skip: int, w: Widths) -> tuple[str, str]:
    """A row's text left and right of the countdown, cut or padded to fill `width` cells;
    cut where text goes on past the edge (the reason, mostly), it ends in "…". A column
    the edge leaves only a few cells of is left out whole (the header's `▸` says more
    columns follow), and a cut at a column's end needs no "…"."""
    head, tail = row_parts(g, skip, w)
    head = set_cell_size(head, min(cell_len(head), max(0, width)))
    room = max(0, width - cell_len(head) - w.countdown)
    if room and cell_len(tail.rstrip()) > room:
        stop = max((at for at in stops(skip, w) if at <= room), default=0)
        if stop and room - stop < PART_MIN:
            return head, set_cell_size(tail[:stop], room)
        return head, set_cell_size(tail, room - 1) + "…"
    return head, set_cell_size(tail, room)


def header_text(width: int, skip: int, w: Widths) -> str:
    """The column titles at this width: `◂` after the countdown when columns are scrolled
    out of view on the left, `▸` at the border when the titles do not all fit."""
    head, tail = row_parts(None, skip, w.fit(width, skip))
    text = head + COUNTDOWN_TITLE.rjust(w.countdown) + tail
    if skip and len(text) > w.countdown:
        text = text[: w.countdown] + "◂" + text[w.countdown + 1 :]
    if len(text) > width > 0:
        text = text[: width - 1] + "▸"
    return text[:width].ljust(width)


def cut(width: int, skip: int, w: Widths) -> bool:
    """Whether the titles at this skip are wider than `width` (→ can scroll further)."""
    return len(header_text(10_000, skip, w).rstrip()) > width
