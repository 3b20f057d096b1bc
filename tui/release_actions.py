"""The App's release-train wiring, as a mixin of WatchfloorApp (kept out of app.py so that
file stays small): `n` opens the latest release's notes, Enter on a cut its details, `R`
opens the rollback rehearsal
dialog (what it rolls back and where, kept current while it is open, a reason, ROLLBACK
typed out), whose message becomes
the ReleaseSource's audited `trigger_rehearsal` as `sources.ctx.actor`. A refusal is shown
in the dialog, which stays open with what was typed; a dispatch that went out and failed
(its answer lost) is not offered for sending again: it may have started a rehearsal."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on

from backends.contracts import ActionRefused, answer_lost, while_applying
from backends.models import Actor, Rehearsal, ReleaseRun, ReleaseSnapshot, StageStatus
from backends.polling import describe_error
from tui.in_flight import InFlight
from tui.panes.base import never_answered
from tui.panes.keyed_table import KeyedTable

if TYPE_CHECKING:
    from tui.screens.rehearsal import RehearsalScreen

# Screens are imported when first opened: they are not on the first frame's path.


def last_rehearsal(reh: Rehearsal | None, known: bool = True) -> str:
    """The dialog's line about the latest rehearsal; one still going says since when.
    known=False: the source has not answered (as the pane, it does not guess "none")."""
    if reh is None:
        return (
            "no rehearsal yet" if known else "last: unknown (the release source has not answered)"
        )
    going = reh.status in (StageStatus.RUNNING, StageStatus.PENDING)
    since = f" since {reh.started_at:%H:%M:%S}Z" if going and reh.started_at else ""
    return f"last: {reh.status.value} ({reh.run_id}){since}"


def sent_when_failed(exc: BaseException) -> bool | None:
    """Whether the rehearsal had gone out when `exc` came: True (sent, its answer lost),
    None (raised while it was being started: not known, it may have), False (before)."""
    if answer_lost(exc):
        return True
    return None if while_applying(exc) else False


class ReleaseActions(InFlight):
    """Mixed into WatchfloorApp, which provides `sources`, `snapshots` and `clock`."""

    sources: Any
    snapshots: Any
    clock: Any

    async def refresh_now(self, cap: str) -> None:  # provided by WatchfloorApp (SourceFeed)
        raise NotImplementedError

    def _release(self) -> ReleaseSnapshot | None:
        snap = self.snapshots.get("release")
        return snap if isinstance(snap, ReleaseSnapshot) else None

    def _release_read_only(self) -> bool:
        refuse = getattr(self, "refuse_if_read_only", None)  # the palette bypasses bindings
        return bool(refuse and refuse())

    def action_release_notes(self) -> None:
        snap = self._release()
        if snap is None or snap.release is None:
            self.notify("No release notes yet", title="Release train", severity="warning")
            return
        from tui.screens.notes import NotesScreen  # Markdown costs ~100 ms: load on use

        self.push_screen(NotesScreen(snap.release))

    @on(KeyedTable.Selected, "#release-table")
    async def _cut_details(self, message: KeyedTable.Selected) -> None:
        """Enter on a cut: its stages, artefacts, times and run address, whole."""
        snap = self._release()
        run = self._listed_run(snap, message.key)
        if run is None:
            return
        from tui.screens.release_details import ReleaseDetailsScreen

        screen = ReleaseDetailsScreen(run, self.clock.now())

        def feed() -> None:
            screen.update(self.clock.now(), self._listed_run(self._release(), run.version))

        timer = self.set_interval(1.0, feed, name="release-details")
        await self.push_screen(screen, lambda _: timer.stop())

    @staticmethod
    def _listed_run(snap: ReleaseSnapshot | None, version: str) -> ReleaseRun | None:
        """The cut as the snapshot lists it now (the table is keyed by version)."""
        if snap is None:
            return None
        runs = (snap.current, *snap.recent)
        return next((r for r in runs if r is not None and r.version == version), None)

    def _rehearsal_says(self) -> tuple[str, str, str]:
        """What the dialog names: the release it rolls back, where, and the last rehearsal,
        as the source reports them now."""
        snap = self._release()
        version = snap.release.tag if snap is not None and snap.release is not None else ""
        name = getattr(self.sources["release"], "name", "?")
        target = (snap.rehearsal_target if snap else "") or f"the {name} release backend"
        if snap is None:
            return version, target, last_rehearsal(None, known=False)
        return version, target, last_rehearsal(snap.rehearsal, known=not never_answered(snap))

    async def action_rehearse(self) -> None:
        """The dialog names the release and where it runs, as the source reports them, and
        is kept up to date once a second (a cut may publish while it is open)."""
        if self._release_read_only():
            return
        from tui.screens.rehearsal import RehearsalScreen

        screen = RehearsalScreen(*self._rehearsal_says())
        timer = self.set_interval(
            1.0,
            lambda: screen.update(*self._rehearsal_says(), now=self.clock.now()),
            name="rehearsal",
        )
        await self.push_screen(screen, lambda _: timer.stop())

    def on_rehearsal_screen_submitted(self, message: RehearsalScreen.Submitted) -> None:
        if self._release_read_only():  # a read-only profile was switched to meanwhile
            message.screen.refuse_read_only()
            return
        self.send(message.screen.sending, self._rehearse(message))

    async def _rehearse(self, message: RehearsalScreen.Submitted) -> bool:
        try:
            await self.sources["release"].trigger_rehearsal(
                Actor(name=self.sources.ctx.actor), message.reason
            )
        except ActionRefused as exc:  # e.g. one is already running: keep the dialog
            message.screen.refused(str(exc), until=exc.until, over=exc.over)
            return False
        except Exception as exc:  # before the dispatch went out, or after (may have started)
            until = getattr(exc, "until", None)  # a rate limit says until when
            message.screen.refused(
                describe_error(exc),
                failed=True,
                sent=sent_when_failed(exc),
                until=until if isinstance(until, datetime) else None,
                over=str(getattr(exc, "over", "")),
            )
            return False
        else:
            message.screen.finish(True)
            self.notify("Rollback rehearsal triggered", title="Release train")
            await self.refresh_now("release")
            return True
