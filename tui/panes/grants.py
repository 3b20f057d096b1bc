"""Break-glass grants: subject, role, reason, granted by and a live countdown to expiry.

The rows are a `GrantList` (tui/panes/grant_list.py), a Line API widget that renders only
the visible rows and computes countdowns from `expires_at` at render, so the pane stays
smooth with 10,000 grants. Grants past their TTL that the backend still reports are red,
and so are those not as the audit trail records them (`!`, counted in the title).
"""

from __future__ import annotations

from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from backends.models import Grant, GrantsSnapshot
from tui.palette import key_of, shown_key
from tui.panes.base import SourcePane, empty_text
from tui.panes.grant_columns import (
    AUDIT_MARK,
    Widths,
    auto_skip,
    countdown,
    header_text,
    reason_text,
)
from tui.panes.grant_list import GrantList
from tui.panes.line import SizedLine

__all__ = ["GrantList", "GrantsPane", "countdown"]


class GrantsHeader(SizedLine):
    """The column titles, fitted to the pane's width and scrolled with the list."""

    skip: int | None = None  # the list's; None: as fits the width
    widths = Widths()  # the list's
    marker = False  # the list's scroll marker shown: its cell is not the rows' text

    def draw(self, width: int, height: int) -> Text:
        room = width - 1 if self.marker and width > 0 else width  # the list's text_width
        skip = auto_skip(room, self.widths) if self.skip is None else self.skip
        return Text(header_text(room, skip, self.widths).ljust(width), style=Style(bold=True))


class GrantsPane(SourcePane):
    TITLE = "Break-glass grants"
    DEFAULT_CSS = """
    GrantsPane #grants-header {
        height: 1;
        color: $text-muted;
    }
    """

    _counted: tuple[int, int, bool, int] = (0, 0, False, 0)  # shown, listed, filtered, marked

    def title_note(self, room: int) -> str:
        """How many grants: "336 listed" (an expired one still listed counts), or with a
        filter "3 of 336" (none: nothing); and how many of them are not as the audit trail
        records them (marked `!`): "336 listed, 2 ! not as audited"."""
        shown, listed, filtered, marked = self._counted
        note = f"{shown:,} of {listed:,}" if filtered else f"{listed:,} listed" if listed else ""
        if marked:
            flagged = f"{note}, {marked:,} {AUDIT_MARK} not as audited"
            note = flagged if len(flagged) <= room else f"{marked:,} {AUDIT_MARK} not as audited"
        return note if len(note) <= room else ""

    def compose(self) -> ComposeResult:
        yield GrantsHeader(id="grants-header", classes="grants-header")
        yield GrantList(id="grants-list")
        yield Static("", id="grants-empty", classes="empty")

    def grant_list(self) -> GrantList:
        return self.query_one(GrantList)

    def focus_target(self) -> Widget:
        return self.grant_list()

    def show(self, snap: GrantsSnapshot) -> None:
        gl = self.grant_list()
        gl.set_now(self.now)
        grants = snap.grants
        wanted = str(getattr(self, "filter_text", "") or "").lower()  # `/` filters rows
        if wanted:
            grants = tuple(
                g
                for g in grants
                if wanted in f"{g.id} {g.subject} {g.role} {g.granted_by} {reason_text(g)}".lower()
            )
        gl.set_grants(grants)
        marked = sum(1 for g in snap.grants if g.audit_problem)
        counted = (len(grants), len(snap.grants), bool(wanted), marked)
        if counted != self._counted:
            self._counted = counted
            self.refresh_title()
        self._sync_header()
        self.set_class(not grants, "-empty")
        if wanted and snap.grants and not grants:
            change = f"{key_of(self.app, 'pane.filter')} to change the filter"
            self.show_empty(Text(f"no grant matches {wanted!r} · {change}"))
        elif not grants:
            grant = shown_key(self.app, "grants.grant")  # none in read-only mode
            self.show_empty(
                empty_text(snap, "no active grants", f" · {grant} to grant" if grant else "")
            )

    def on_grant_list_columns_scrolled(self, message: GrantList.ColumnsScrolled) -> None:
        header = self.query_one(GrantsHeader)
        header.skip = message.skip
        header.redraw()

    def on_grant_list_marker_shown(self, message: GrantList.MarkerShown) -> None:
        header = self.query_one(GrantsHeader)
        header.marker = message.shown
        header.redraw()

    def tick(self, snap: GrantsSnapshot, now: datetime) -> None:
        self.grant_list().set_now(now)
        self._sync_header()

    def _sync_header(self) -> None:
        """The titles as wide as the list's columns (they follow what the grants hold)."""
        header = self.query_one(GrantsHeader)
        widths = self.grant_list().widths
        if header.widths != widths:
            header.widths = widths
            header.redraw()

    @property
    def selected(self) -> Grant | None:
        return self.grant_list().selected
