"""The grants list widget of the break-glass pane: virtualized, with live countdowns.

No per-row widgets and no per-row timers. `GrantList` is a Line API widget: the app pushes
the grants (a tuple, sorted by the backend) and, once a second, `now`; `render_line` builds
only the rows on screen and computes each countdown from `expires_at` right then, so a
tick repaints the visible rows and costs the same for 10 grants or 10,000.

A countdown under five minutes (SOON_S) is yellow and starts with "⚠" (not in colour
alone); a grant past its expiry that the backend still reports is drawn in red (the alert
strip raises "break-glass TTL expired still active" for it), and so is one not as the
audit trail records it, marked `!` with why ("! not in the audit trail"). `r` (the app's binding,
priority too) opens the revoke modal for the grant under the cursor while this list has
the focus.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from backends.clock import utc_now
from backends.models import Grant
from tui.panes import grant_columns as cols
from tui.panes.grant_columns import countdown
from tui.panes.grant_styles import (
    EXPIRED,
    GRANT_LIST_CLASSES,
    GRANT_LIST_CSS,
    line_styles,
    state,
)
from tui.panes.row_cursor import RowCursor
from tui.panes.thumb import thumb_cell

P = partial(Binding, priority=True)


class GrantList(RowCursor, can_focus=True):
    """The grants, one line each, cursor-selectable with the keyboard (the cursor always
    on a row in view: RowCursor)."""

    # All priority, acted on in the order the app reads them: the app's `r` is (a reason
    # typed right after it goes to the revoke form), and then so must the keys that move
    # the cursor be, or in `down r` the `r` would act first, on the grant above the one meant.
    BINDINGS: ClassVar[list[BindingType]] = [
        P("up,k", "cursor(-1)", "Up", show=False, id="grants.up"),
        P("down,j", "cursor(1)", "Down", show=False, id="grants.down"),
        P("pageup", "page(-1)", "Page up", show=False, id="grants.pageup"),
        P("pagedown", "page(1)", "Page down", show=False, id="grants.pagedown"),
        P("home", "jump(0)", "First", show=False, id="grants.first"),
        P("end", "jump(-1)", "Last", show=False, id="grants.last"),
        P("left,h", "columns(-1)", "Columns left", show=False, id="grants.left"),
        P("right,l", "columns(1)", "Columns right", show=False, id="grants.right"),
        P("enter", "app.grant_details", "Grant details", show=False, id="grants.details"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = GRANT_LIST_CLASSES
    DEFAULT_CSS = GRANT_LIST_CSS

    class ColumnsScrolled(Message):
        """The columns were scrolled sideways: the header follows (`skip`)."""

        def __init__(self, skip: int | None) -> None:
            super().__init__()
            self.skip = skip

    class MarkerShown(Message):
        """The scroll marker came or went (`shown`): the header is fitted, as the rows
        are, to the cells left of it."""

        def __init__(self, shown: bool) -> None:
            super().__init__()
            self.shown = shown

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._grants: tuple[Grant, ...] = ()
        self._now: datetime = utc_now()
        self._first_expiry: datetime | None = None  # the soonest of the grants listed
        self._widths = cols.Widths()  # as wide as what the grants listed hold
        self._styles: dict[tuple[bool, int], tuple[Style, Style]] | None = None
        self._thumb = Style()
        self._plain = Style()
        # per visible row, what does not change with the clock: the (head, tail) segments
        # and the countdown's width
        self._parts: dict[
            tuple[str, str, bool, int, int, int, cols.Widths], tuple[Segment, Segment, int]
        ]
        self._parts = {}
        self._blank: Strip | None = None
        self._top = 0  # the first row shown (scroll_y)
        self._skip: int | None = None  # columns scrolled away; None: as fits the width
        self._marker = False  # the scroll marker shown (more grants than lines)

    # --- attributes down --------------------------------------------------------------

    @property
    def grants(self) -> tuple[Grant, ...]:
        return self._grants

    @property
    def widths(self) -> cols.Widths:
        """The columns' widths for the grants listed (the header draws with these too)."""
        return self._widths

    def _measure(self) -> bool:
        """The columns' widths for the grants and the time; True when they changed (the
        countdown widens while a grant listed is past its expiry)."""
        first = self._first_expiry
        widths = cols.Widths.of(self._grants, expired=first is not None and first <= self._now)
        changed = widths != self._widths
        self._widths = widths
        return changed

    def set_grants(self, grants: tuple[Grant, ...]) -> None:
        """Show these grants. Untouched, the cursor stays on the first row (the grant that
        expires first); a grant picked is followed while it is there (RowCursor)."""
        if grants == self._grants:  # the same objects (the local source keeps them): cheap
            return  # the same grants again (every poll delivers them): the tick repaints
        selected = self.selected
        self._grants = grants
        self._first_expiry = min((g.expires_at for g in grants), default=None)
        self._measure()
        self.virtual_size = Size(0, len(grants))  # first: the cursor scrolls within these
        self.place_cursor(self._index_of(selected) if self.picked else None)
        self._check_marker()
        self.refresh()

    def _check_marker(self) -> None:
        """Tell the header when the scroll marker comes or goes."""
        shown = len(self._grants) > self.size.height > 0  # as thumb_cell draws it
        if shown != self._marker:
            self._marker = shown
            self.post_message(self.MarkerShown(shown))

    @property
    def text_width(self) -> int:
        """The cells the rows' text has: the scroll marker takes the last one."""
        width, height = self.size
        return width - 1 if len(self._grants) > height > 0 else width

    def _index_of(self, grant: Grant | None) -> int | None:
        """Where `grant` is now (None: not listed). Only on a change of order does this
        scan; usually the grant is where it was."""
        if grant is None:
            return None
        i = self.cursor
        if i < len(self._grants) and self._grants[i].id == grant.id:
            return i
        return next((n for n, g in enumerate(self._grants) if g.id == grant.id), None)

    def set_now(self, now: datetime) -> None:
        """Once a second: repaint what is on screen. Only visible lines ever render, and
        unless a visible row changed colour (turned yellow or red) only the countdown
        column is repainted."""
        before = self._visible_states(self._now)
        first = self._first_expiry
        crossed = first is not None and (self._now < first) != (now < first)  # one expired
        self._now = now
        if crossed and self._measure():  # the countdown widened: every column moves
            self.refresh()
            return
        if self._visible_states(now) != before:
            self.refresh()
        else:
            x = cols.countdown_x(self.skip)
            # not the blank lines below
            shown = min(self.size.height, len(self._grants) - self._top)
            if shown > 0:
                self.refresh(Region(x, 0, self._widths.countdown, shown))

    def _visible_states(self, now: datetime) -> list[int]:
        top = self._top
        shown = self._grants[top : top + self.size.height]
        return [state((g.expires_at - now).total_seconds()) for g in shown]

    def on_focus(self) -> None:
        self._styles = None
        self.refresh()

    def on_blur(self) -> None:
        self._styles = None
        self.refresh()

    @property
    def skip(self) -> int:
        """How many columns are scrolled out of view on the left."""
        return cols.auto_skip(self.text_width, self._widths) if self._skip is None else self._skip

    @property
    def row_count(self) -> int:
        return len(self._grants)

    @property
    def selected(self) -> Grant | None:
        if 0 <= self.cursor < len(self._grants):
            return self._grants[self.cursor]
        return None

    # --- rendering ---------------------------------------------------------------------

    def _line_styles(self) -> dict[tuple[bool, int], tuple[Style, Style]]:
        """(row style, countdown style) by (cursor?, state), computed once per repaint:
        looking styles up walks the DOM, too slow to do for every line."""
        if self._styles is None:
            plain = self._plain = self.rich_style
            self._styles = line_styles(plain, self.get_component_rich_style)
            self._parts.clear()
            self._blank = None
            self._thumb = plain + self.get_component_rich_style("grant-list--thumb", partial=True)
        return self._styles

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        # the size is read when needed, so grants pushed before the first layout show
        width, height = self.size  # once: each read walks up to the screen
        index = self._top + y
        styles = self._line_styles()
        thumb = thumb_cell(len(self._grants), height, self._top, y, self._thumb)
        text_width = width - 1 if thumb is not None else width
        if index >= len(self._grants):
            if self._blank is None or self._blank.cell_length != width:
                self._blank = Strip.blank(width, self._plain)
            return self._blank
        g = self._grants[index]
        now_state = state((g.expires_at - self._now).total_seconds())
        on_cursor = index == self.cursor
        base, left_style = styles[on_cursor, now_state]
        if g.audit_problem:  # not as the audit trail records it: red, as an alert is
            base = styles[on_cursor, EXPIRED][0]
        widths = self._widths
        skip = cols.auto_skip(text_width, widths) if self._skip is None else self._skip  # skip
        key = (g.id, g.audit_problem, on_cursor, now_state, text_width, skip, widths)
        parts = self._parts.get(key)
        if parts is None:
            if len(self._parts) > 1024:
                self._parts.clear()
            parts = self._parts[key] = self._static_parts(g, base, text_width, skip, widths)
        left = Segment(cols.cell(countdown(g, self._now), parts[2], right=True), left_style)
        row = Strip([parts[0], left, parts[1]])
        if row.cell_length != text_width:  # a narrow pane: never draw past the border
            row = row.crop_extend(0, text_width, base)
        if thumb is not None:
            return Strip([*row, thumb], width)
        return row

    @staticmethod
    def _static_parts(
        g: Grant, style: Style, text_width: int, skip: int, widths: cols.Widths
    ) -> tuple[Segment, Segment, int]:
        """The row left and right of the countdown, cut or padded to fill `text_width` (the
        scroll marker is not text; the header is fitted so too), and the countdown's width."""
        fitted = widths.fit(text_width, skip)
        head, tail = cols.fitted_parts(g, text_width, skip, fitted)
        return Segment(head, style), Segment(tail, style), fitted.countdown

    # --- keys --------------------------------------------------------------------------

    def repaint_rows(self, *indexes: int) -> None:
        width = self.size.width
        for row in indexes:
            self.refresh(Region(0, row - self._top, width, 1))

    def action_columns(self, delta: int) -> None:
        """Scroll the columns other than the countdown sideways, while some do not fit."""
        skip = max(0, min(self.skip + delta, cols.MAX_SKIP))
        if delta > 0 and not cols.cut(self.text_width, self.skip, self._widths):
            return  # every column is in view already
        if skip != self.skip:
            self._skip = skip
            self.refresh()
            self.post_message(self.ColumnsScrolled(skip))

    def on_resize(self) -> None:
        self._check_marker()
        if self._skip is not None:  # back to what fits the new width
            self._skip = None
            self.post_message(self.ColumnsScrolled(None))

    async def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self._grants):
            self.pick(index)
            if event.chain == 2:  # a double-click opens the grant, as Enter does
                await self.run_action("app.grant_details")
