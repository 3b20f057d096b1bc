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

The width given is the cells the text has: with more grants than lines, the list's scroll
marker takes the last one (at 80x24 it cut every subject, "alice@example.c…┃"). What gives
way first is the countdown's title: "expires" (COUNTDOWN_TIGHT_W) rather than "expires in"
where that keeps the subject, or the role, whole; a countdown is never wider.
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
COUNTDOWN_TIGHT = "expires"  # the title where "expires in" costs the subject or role cells
COUNTDOWN_TIGHT_W = len(COUNTDOWN_TIGHT)  # as wide as "⚠ 4m59s", the widest countdown
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
        """At `width` cells of text with `skip` columns scrolled away: the countdown's
        title shortened where that keeps the subject whole, or the role; the subject
        narrowed too (not below SUBJECT_MIN) where that keeps the role whole."""
        if skip > 1:  # the subject is out of view
            return self
        head = ID_W + 1 if skip == 0 else 0
        tight = self
        if self.countdown == COUNTDOWN_W:  # not while a grant listed is past its expiry
            tight = replace(self, countdown=COUNTDOWN_TIGHT_W)
        if head + self.countdown + 1 + self.subject > width:  # no room for the role either
            return tight
        for w in (self, tight):
            if head + w.countdown + 1 + w.subject + 1 + w.role <= width:
                return w
        over = head + tight.countdown + 1 + tight.subject + 1 + tight.role - width
        if tight.subject - over < SUBJECT_MIN:
            return self
        return replace(tight, subject=tight.subject - over)


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


def _fitted_tail(tail: str, room: int, skip: int, w: Widths) -> str:
    """The text after the countdown cut or padded to `room` cells. Cut where a value goes
    on past the edge (the reason, mostly), it ends in "…"; a column whose value ends
    before the edge is not cut (its blanks are). A column the edge leaves fewer than
    PART_MIN cells of is left out whole (the header's `▸` says more columns follow)."""
    if not room or cell_len(tail.rstrip()) <= room:
        return set_cell_size(tail, room)
    ends = stops(skip, w)
    stop = max((at for at in ends if at <= room), default=0)
    end = min((at for at in ends if at > room), default=len(tail))
    if not tail[room:end].strip():  # only the blanks after its value are cut
        return set_cell_size(tail, room)
    if stop and room - stop <= PART_MIN:  # a space, then fewer than PART_MIN cells
        return set_cell_size(tail[:stop], room)
    return set_cell_size(tail, room - 1) + "…"


def fitted_parts(g: Grant, width: int, skip: int, w: Widths) -> tuple[str, str]:
    """A row's text left and right of the countdown, cut or padded to fill `width` cells
    (`w`: as fitted to them, `Widths.fit`)."""
    head, tail = row_parts(g, skip, w)
    head = set_cell_size(head, min(cell_len(head), max(0, width)))
    room = max(0, width - cell_len(head) - w.countdown)
    return head, _fitted_tail(tail, room, skip, w)


def countdown_title(w: Widths) -> str:
    return (COUNTDOWN_TITLE if w.countdown >= COUNTDOWN_W else COUNTDOWN_TIGHT).rjust(w.countdown)


def header_text(width: int, skip: int, w: Widths) -> str:
    """The column titles at this width (of text: the list's scroll marker not counted),
    over the columns the rows show: `◂` after the countdown when columns are scrolled out
    of view on the left, `▸` at the border when the titles do not all fit."""
    w = w.fit(width, skip)
    head, tail = row_parts(None, skip, w)
    left = head + countdown_title(w)
    text = left + tail
    cut = len(text) > width
    if cut and width > len(left):  # the titles of the columns the rows show
        text = left + _fitted_tail(tail, width - len(left), skip, w)
    if skip and len(text) > w.countdown:
        text = text[: w.countdown] + "◂" + text[w.countdown + 1 :]
    if cut and width > 0:
        text = text[: width - 1] + "▸"
    return text[:width].ljust(width)


def cut(width: int, skip: int, w: Widths) -> bool:
    """Whether the titles at this skip are wider than `width` (→ can scroll further)."""
    return len(header_text(10_000, skip, w).rstrip()) > width
