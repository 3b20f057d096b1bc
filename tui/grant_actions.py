"""The App's break-glass wiring, as a mixin of WatchfloorApp (kept out of app.py so that
file stays small): `g` opens the grant modal, `r` on a grant opens the revoke modal, Enter
on a grant its details (whose `r` revokes it too), and the modals' messages become calls
on the GrantSource, as the actor in `sources.ctx.actor`. A grant whose revoke is still
with the backend (its dialog closed with Esc meanwhile) gets no second revoke dialog, and
no second revoke is sent: the first one's outcome is still to come."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from backends.contracts import ActionRefused, GrantRoles, while_applying
from backends.fault_times import clock
from backends.models import Actor, Grant, GrantEnded, GrantsSnapshot
from backends.polling import describe_error
from backends.timeline import Timeline, grant_key
from tui.in_flight import InFlight
from tui.palette import key_of
from tui.panes.grants import GrantsPane

if TYPE_CHECKING:
    from tui.screens.grant import GrantScreen
    from tui.screens.grant_details import GrantDetailsScreen
    from tui.screens.revoke import RevokeScreen

# Screens are imported when first opened: they are not on the first frame's path.


class GrantActions(InFlight):
    """Mixed into WatchfloorApp, which provides `sources`, `clock` and `pane`."""

    sources: Any
    clock: Any
    snapshots: dict[str, Any]
    timeline: Timeline

    def _actor(self) -> Actor:
        return Actor(name=self.sources.ctx.actor)

    async def refresh_now(self, cap: str) -> None:  # provided by WatchfloorApp (SourceFeed)
        raise NotImplementedError

    def _read_only(self) -> bool:
        refuse = getattr(self, "refuse_if_read_only", None)  # the palette bypasses bindings
        return bool(refuse and refuse())

    async def action_grant(self) -> None:
        if self._read_only():
            return
        from tui.screens.grant import GrantScreen

        src = self.sources["grants"]
        # a plugin's grants, checked and audited by watchfloor, say so (backends/guarded.py)
        checks = getattr(src, "core_checks", "")
        screen = GrantScreen(
            self.sources.ctx.actor, checks=checks if isinstance(checks, str) else ""
        )
        await self.push_screen(screen)
        if isinstance(src, GrantRoles):  # which roles to suggest: the policy's answer
            self.run_worker(self._offer_roles(src, screen), group="grant-roles")

    async def _offer_roles(self, src: GrantRoles, screen: GrantScreen) -> None:
        """The roles the policy lets this actor grant, into the form (asked, not granted:
        no code). Not answered, the form's role stays an example, marked as such."""
        try:
            roles = await src.grantable_roles(self._actor())
        except Exception:
            return
        screen.set_roles(roles)

    async def action_revoke_selected(self) -> None:
        """`r`: the grant under the grants cursor, while the grants pane has the focus
        (from another pane it would be a guess: it says how to pick one instead)."""
        if self._read_only():
            return
        pane = self.query_one(GrantsPane)
        grant = pane.selected if pane.has_focus_within else None
        if grant is None:
            self.notify(self._no_grant_selected(), severity="warning", markup=False)
            return
        await self.open_revoke(grant)

    def _no_grant_selected(self) -> str:
        return f"No grant selected ({key_of(self, 'focus.grants')} focuses the grants pane)"

    def revoke_in_flight(self, grant_id: str) -> str:
        """Why a revoke of `grant_id` is not to be sent now ("" it may be): one is."""
        if not self.is_sending(f"revoke:{grant_id}"):
            return ""
        return (
            f"revoke of {grant_id} is already being sent: its outcome will be shown when it"
            " comes back"
        )

    def refuse_revoke_in_flight(self, grant_id: str) -> bool:
        """A toast, and True, when a revoke of `grant_id` is already with the backend."""
        why = self.revoke_in_flight(grant_id)
        if why:
            self.notify(why, title="Still sending", severity="warning")
        return bool(why)

    async def open_revoke(self, grant: Grant) -> None:
        if self.refuse_revoke_in_flight(grant.id):
            return
        from tui.screens.revoke import RevokeScreen

        screen = RevokeScreen(grant, self.clock.now())
        timer = self.set_interval(1.0, lambda: self._feed_revoke(screen), name="revoke")
        await self.push_screen(screen, lambda _: timer.stop())  # its countdown runs on

    def _listed(self, grant: Grant) -> Grant | None:
        """The grant as the last grants snapshot lists it; None: not listed (revoked from
        another terminal, or reaped). No snapshot yet: assume it is, as it was."""
        snap = self.snapshots.get("grants")
        if not isinstance(snap, GrantsSnapshot):
            return grant
        return next((g for g in snap.grants if g.id == grant.id), None)

    def _ended(self, grant: Grant) -> GrantEnded | None:
        """How the grant ended, if the last grants snapshot says (who revoked it, why)."""
        snap = self.snapshots.get("grants")
        return snap.ended_of(grant.id) if isinstance(snap, GrantsSnapshot) else None

    def _feed_revoke(self, screen: RevokeScreen) -> None:
        """Once a second: the time, and whether the grant is still listed (if not, how it
        ended, as far as the source says)."""
        listed = self._listed(screen.grant) is not None
        ended = None if listed else self._ended(screen.grant)
        screen.set_now(self.clock.now(), listed=listed, ended=ended)

    async def action_grant_details(self) -> None:
        """Enter on a grant: its details, whole, with a live countdown."""
        grant = self.query_one(GrantsPane).selected
        if grant is None:
            self.notify(self._no_grant_selected(), severity="warning", markup=False)
            return
        from tui.screens.grant_details import GrantDetailsScreen

        screen = GrantDetailsScreen(grant, self.clock.now(), self._revoke_from_details)

        def feed() -> None:
            screen.ended = self._ended(screen.item) or screen.ended
            screen.update(self.clock.now(), self._listed(screen.item))

        timer = self.set_interval(1.0, feed, name="grant-details")
        await self.push_screen(screen, lambda _: timer.stop())

    async def _revoke_from_details(self, screen: GrantDetailsScreen) -> None:
        """`r` in a grant's details: the revoke dialog for that grant, in its place."""
        if self._read_only():
            return
        grant = self._listed(screen.item)
        if grant is None:  # the same words as the details' red line: which way it went
            self.notify(
                f"{screen.item.id} is no longer listed ({screen.gone_why()}): nothing to revoke",
                severity="warning",
            )
            return
        if self.refuse_revoke_in_flight(grant.id):  # the details stay open
            return
        await screen.dismiss()
        await self.open_revoke(grant)

    def on_grant_screen_submitted(self, message: GrantScreen.Submitted) -> None:
        if self._read_only():  # a read-only profile was switched to with the form open
            message.screen.refuse_read_only()
            return
        self.send(message.screen.sending, self._grant(message))

    def on_revoke_screen_submitted(self, message: RevokeScreen.Submitted) -> None:
        if self._read_only():
            message.screen.refuse_read_only()
            return
        if why := self.revoke_in_flight(message.grant_id):
            message.screen.refused(why)
            return
        # in flight at once, before the next key: a second `r` is told so
        self.send(message.screen.sending, self._revoke(message), f"revoke:{message.grant_id}")

    async def _revoke_refused(self, screen: RevokeScreen, exc: ActionRefused) -> None:
        """Refused: if the grant went in the second before (revoked from another terminal,
        expired) the dialog says which, as it does once a poll has shown it gone; it showed
        the backend's "no active grant with id …"."""
        await self.refresh_now("grants")
        self._feed_revoke(screen)
        if screen.listed:
            screen.refused(str(exc), field=exc.field)
        else:
            screen.refused(screen.gone_text(sent=True))

    async def _grant(self, message: GrantScreen.Submitted) -> bool:
        try:
            g = await self.sources["grants"].grant(message.request, self._actor())
        except ActionRefused as exc:  # the focus to the input it names (step_up_code: code)
            field = "code" if exc.field == "step_up_code" else exc.field
            message.screen.refused(str(exc), field=field)
            return False
        except Exception as exc:  # the backend failed; keep the modal and its input
            message.screen.refused(describe_error(exc), failed=True)
            return False
        else:
            message.screen.finish(g)
            today = self.clock.now().astimezone(UTC).date()  # not today: with its date
            self.notify(
                f"{g.subject} has {g.role} until {clock(g.expires_at, today)}Z ({g.id})",
                title="Break-glass granted",
            )
            await self.refresh_now("grants")
            return True

    async def _revoke(self, message: RevokeScreen.Submitted) -> bool:
        try:
            await self.sources["grants"].revoke(message.grant_id, self._actor(), message.reason)
        except ActionRefused as exc:
            await self._revoke_refused(message.screen, exc)
            return False
        except Exception as exc:  # before the DELETE went out (its read), or after
            message.screen.refused(describe_error(exc), failed=True, sent=while_applying(exc))
            return False
        else:
            message.screen.finish(True)
            self.notify(f"Grant {message.grant_id} revoked", title="Break-glass revoked")
            self.timeline.note(  # who and why: the grants snapshot only shows it gone
                self.clock.now(),
                "revoke",
                f"{self.sources.ctx.actor} revoked grant {message.grant_id} "
                f"({message.screen.grant.role} for {message.screen.grant.subject}): "
                f"{message.reason}",
                grant_key(message.grant_id, "end"),
            )
            await self.refresh_now("grants")
            return True
