"""What the fault modals send, as a mixin of WatchfloorApp (through FaultActions, whose
keys open them, tui/fault_actions.py): a window scheduled from the form, one ended with
its reason (`e`, or from its details), HALT ALL typed; each a call on the FaultSource as
the actor in `sources.ctx.actor`, sent through tui/in_flight.py, and what it did said in a
toast (and HALT ALL in the timeline)."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from backends.contracts import ActionRefused, UnauditedRemoval
from backends.fault_ends import (
    AlreadyEnded,
    HaltIncomplete,
    ended_by,
    halt_words,
    halted_by,
    said_with_more,
)
from backends.fault_times import cancelled_words, span
from backends.faults_core import cancelled
from backends.models import Actor, FaultsSnapshot
from backends.polling import describe_error
from backends.timeline import halt_key
from tui.in_flight import InFlight

if TYPE_CHECKING:
    from tui.screens.end_window import EndWindowScreen
    from tui.screens.fault_window import FaultWindowScreen
    from tui.screens.halt import HaltScreen


class FaultSends(InFlight):
    """Mixed into WatchfloorApp, which provides `sources`, `clock`, `snapshots`,
    `timeline` and `refresh_now`."""

    sources: Any
    clock: Any
    snapshots: dict[str, Any]
    timeline: Any

    if TYPE_CHECKING:

        async def refresh_now(self, cap: str) -> None: ...  # WatchfloorApp's (SourceFeed)

    def _fault_actor(self) -> Actor:
        return Actor(name=self.sources.ctx.actor)

    def _fault_read_only(self) -> bool:
        """A read-only dashboard (operator mode) refuses these from the palette too."""
        refuse = getattr(self, "refuse_if_read_only", None)
        return bool(refuse()) if callable(refuse) else False

    # --- messages from the modals -----------------------------------------------------------

    def on_fault_window_screen_submitted(self, message: FaultWindowScreen.Submitted) -> None:
        if self._fault_read_only():  # a read-only profile was switched to with the form open
            message.screen.refuse_read_only()
            return
        self.send(message.screen.sending, self._schedule_fault(message))

    def on_halt_screen_submitted(self, message: HaltScreen.Submitted) -> None:
        if self._fault_read_only():
            message.screen.refuse_read_only()
            return
        self.send(message.screen.sending, self._halt_all(message))

    def on_end_window_screen_submitted(self, message: EndWindowScreen.Submitted) -> None:
        if self._fault_read_only():
            message.screen.refuse_read_only()
            return
        wid = message.window_id
        if self.is_sending(f"end:{wid}"):
            message.screen.refused(f"the end of {wid} is already being sent")
            return
        # in flight at once, before the next key: a second `e` is told so
        self.send(message.screen.sending, self._end_fault(message), f"end:{wid}")

    async def _schedule_fault(self, message: FaultWindowScreen.Submitted) -> bool:
        try:
            w = await self.sources["faults"].schedule(message.request, self._fault_actor())
        except ActionRefused as exc:
            from tui.fault_requests import PATHS  # the form's input for the request's field

            message.screen.refused(str(exc), field=PATHS.get(exc.field, ""))
            return False
        except Exception as exc:  # the backend failed; keep the modal and its input
            message.screen.refused(describe_error(exc), failed=True)
            return False
        else:
            message.screen.finish(w)
            today = self.clock.now().astimezone(UTC).date()  # not today: with its date
            self.notify(
                f"{w.spec.namespace}/{w.spec.target_host} {span(w.starts_at, w.ends_at, today)}"
                f" ({w.id})",
                title="Fault window started" if w.applied else "Fault window scheduled",
            )
            await self.refresh_now("faults")
            return True

    async def _end_fault(self, message: EndWindowScreen.Submitted) -> bool:
        """The window ended (or cancelled, if it had not started) with the reason typed:
        the audit trail, the window's end (timeline, report, `faults list`) say it."""
        screen, window_id, reason = message.screen, message.window_id, message.reason
        target = screen.target
        unaudited = ""  # ended, but the audit trail does not record it: said, in red
        try:
            await self.sources["faults"].end(window_id, self._fault_actor(), reason)
        except UnauditedRemoval as exc:
            unaudited = f"; {exc}"
        except AlreadyEnded as exc:  # by whom, when, how; the pane had not shown it yet
            screen.refused(str(exc))
            await self.refresh_now("faults")
            return False
        except ActionRefused as exc:
            screen.refused(str(exc), field="reason" if exc.field == "reason" else "")
            return False
        except Exception as exc:
            screen.refused(describe_error(exc), failed=True)
            return False
        screen.finish(True)
        await self.refresh_now("faults")  # ended, or cancelled if it had not started
        snap = self.snapshots.get("faults")
        done = next((w for w in getattr(snap, "windows", ()) if w.id == window_id), None)
        how = cancelled_words(done) if done and cancelled(done) else "ended"
        # and what else came out of the mesh with it (a fault someone edited meanwhile)
        said = ended_by(self._fault_actor().name, reason)
        more = said_with_more(done.end_reason, said) if done else None
        how += f"; {more}" if more else ""
        said = f"Window {window_id} on {target} {how}{unaudited}"
        self.notify(said, title="Fault window", severity="error" if unaudited else "information")
        return True

    async def _halt_all(self, message: HaltScreen.Submitted) -> bool:
        sent_at, actor = self.clock.now(), self._fault_actor()
        unaudited = ""  # done, but the audit trail does not record it (it is logged)
        try:
            n = await self.sources["faults"].halt_all(actor, message.reason)
        except UnauditedRemoval as exc:
            n, unaudited = exc.result if isinstance(exc.result, int) else 0, str(exc)
        except ActionRefused as exc:
            message.screen.refused(str(exc))
            return False
        except HaltIncomplete as exc:  # which it ended, and which are still in the mesh
            message.screen.refused(str(exc), failed=True)
            self.notify(str(exc), title="HALT ALL incomplete", severity="error", timeout=30)
            await self.refresh_now("faults")  # those it ended show why
            return False
        except Exception as exc:
            message.screen.refused(describe_error(exc), failed=True)
            return False
        message.screen.finish(n)
        await self.refresh_now("faults")  # which of them had started, as now stored
        snap = self.snapshots.get("faults")
        windows = snap.windows if isinstance(snap, FaultsSnapshot) else ()
        said = halt_words(windows, sent_at, actor.name, message.reason, n)
        if unaudited:
            self.notify(f"{said}; {unaudited}", title="HALT ALL", severity="error")
        else:
            self.notify(said, title="HALT ALL", severity="warning")
        self.timeline.note(
            self.clock.now(),
            "fault",
            f"{halted_by(actor.name, said)}; {message.reason}{' (not audited)' * bool(unaudited)}",
            halt_key(actor.name, message.reason),  # its audit record, read later, is this
        )
        return True
