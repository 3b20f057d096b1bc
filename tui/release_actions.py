"""The App's release-train wiring, as a mixin of WatchfloorApp (kept out of app.py so that
file stays small): `n` opens the latest release's notes, `R` asks for a confirmation and a
reason, then calls the ReleaseSource's audited `trigger_rehearsal` as `sources.ctx.actor`."""

from __future__ import annotations

from typing import Any

from textual.app import App

from backends.contracts import ActionRefused
from backends.models import Actor, ReleaseSnapshot
from backends.polling import describe_error

# Screens are imported when first opened: they are not on the first frame's path.


class ReleaseActions(App[None]):
    """Mixed into WatchfloorApp, which provides `sources` and `snapshots`."""

    sources: Any
    snapshots: Any

    async def refresh_now(self, cap: str) -> None:  # provided by WatchfloorApp (SourceFeed)
        raise NotImplementedError

    def _release(self) -> ReleaseSnapshot | None:
        snap = self.snapshots.get("release")
        return snap if isinstance(snap, ReleaseSnapshot) else None

    def action_release_notes(self) -> None:
        snap = self._release()
        if snap is None or snap.release is None:
            self.notify("No release notes yet", title="Release train", severity="warning")
            return
        from tui.screens.notes import NotesScreen  # Markdown costs ~100 ms: load on use

        self.push_screen(NotesScreen(snap.release))

    async def action_rehearse(self) -> None:
        """Confirm first; the reason goes to the source's audited rehearsal action."""
        refuse = getattr(self, "refuse_if_read_only", None)  # the palette bypasses bindings
        if refuse is not None and refuse():
            return
        snap = self._release()
        reh = snap.rehearsal if snap is not None else None
        last = f"last: {reh.status.value} ({reh.run_id})" if reh else "no rehearsal yet"
        name = getattr(self.sources["release"], "name", "?")
        target = (snap.rehearsal_target if snap else "") or f"the {name} release backend"

        def confirmed(reason: str | None) -> None:
            if reason and refuse is not None and refuse():  # switched to read-only meanwhile
                return
            if reason:
                self.run_worker(self._rehearse(reason), group="actions", exit_on_error=False)

        from tui.screens.rehearsal import RehearsalScreen

        await self.push_screen(RehearsalScreen(target, last), confirmed)

    async def _rehearse(self, reason: str) -> None:
        try:
            await self.sources["release"].trigger_rehearsal(
                Actor(name=self.sources.ctx.actor), reason
            )
        except ActionRefused as exc:
            self.notify(str(exc), title="Rollback rehearsal refused", severity="error")
        except Exception as exc:
            self.notify(describe_error(exc), title="Rollback rehearsal failed", severity="error")
        else:
            self.notify("Rollback rehearsal triggered", title="Release train")
            await self.refresh_now("release")
