"""Enter on a grant: everything about it, whole. The grants pane cuts its reason with "…"
(and leaves the id out at 80 columns); here are the subject, role, the whole reason,
who granted it and when, when it expires (UTC, with a live countdown) and its id.

Read-only: `r` asks the App to revoke this grant (it opens the revoke dialog for it, or
refuses in read-only mode), Esc closes. The App pushes the time and the grant as the
grants snapshot lists it once a second (see DetailsModal); revoked or reaped meanwhile, it
says so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from backends.models import Grant, GrantEnded
from backends.text_safe import shown
from tui.fmt import ago, duration
from tui.panes.grant_columns import SOON_MARK, SOON_S
from tui.screens.details import DetailsModal, Rows, utc
from tui.screens.revoke import UNKNOWN, UNLISTED


class GrantDetailsScreen(DetailsModal[Grant]):
    BOX_TITLE = "Break-glass grant"
    GONE_WHY = "revoked elsewhere"
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: acted on as read, so a reason typed right after `r` reaches the form
        Binding("r", "revoke_grant", "Revoke grant", id="grant-details.revoke", priority=True),
        Binding("escape", "close", "Close", id="grant-details.close", priority=True),
    ]

    def __init__(
        self,
        grant: Grant,
        now: datetime,
        revoke: Callable[[GrantDetailsScreen], Awaitable[None]],
    ) -> None:
        """`revoke`: the App's, called with this screen when `r` is pressed."""
        super().__init__(grant, now)
        self._revoke = revoke
        self.ended: GrantEnded | None = None  # how it ended, when the source says (App)

    def gone_why(self) -> str:
        """Revoked (by whom and why, when the source says) or it ran out: the source says
        which (`how`: one that ran out may still name who reaped it), else gone past its
        expiry means it ran out (and was reaped), before it revoked."""
        end = self.ended
        if end is not None and end.how == "revoked":
            by = f" by {end.revoked_by}" if end.revoked_by else ""
            why = f": {end.reason}" if end.reason else ""
            return f"{self.GONE_WHY}{by}{why}"
        if end is not None and end.how == "unlisted":
            return UNLISTED
        if end is not None or self.item.expired(self.gone_at):
            return "it expired"
        return UNKNOWN  # its source does not say how: no more than that is known

    def expires(self) -> Text:
        g = self.item
        at = Text(utc(g.expires_at))
        if not self.listed:
            return at
        left = g.remaining(self.now).total_seconds()
        if left <= 0:
            return at.append(f"  EXPIRED {duration(-left)} ago, still listed", "bold red")
        if left < SOON_S:  # not in colour alone
            return at.append(f"  in {duration(left)} {SOON_MARK} expiring soon", "bold yellow")
        return at.append(f"  in {duration(left)}", "bold")

    def rows(self) -> Rows:
        g = self.item
        granted = Text(utc(g.granted_at))
        if self.listed:
            granted.append(f"  {ago(self.now - g.granted_at)} ago", "grey50")
        return [  # shown before Rich drops a BEL or a CR (DetailsModal.body escapes the rest)
            ("subject", Text(shown(g.subject), "bold")),
            ("role", Text(shown(g.role), "bold")),
            ("reason", Text(shown(g.reason), "italic")),
            ("granted by", g.granted_by),
            ("granted at", granted),
            ("expires at", self.expires()),
            ("id", g.id),
            *([("audit", Text(f"! {g.audit_problem}", "bold red"))] if g.audit_problem else []),
        ]

    async def action_revoke_grant(self) -> None:
        await self._revoke(self)
