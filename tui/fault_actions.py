"""The App's fault-window keys, as a mixin of WatchfloorApp (kept out of app.py so that
file stays small): `f` opens the schedule modal, `e` asks why and ends the window under
the cursor, Enter on a window opens its details (whose `e` ends it too), `H` opens HALT
ALL (typed confirmation), and q with windows open asks again. What the modals send, and what it did,
is tui/fault_sends.py's; the reconcile loop is tui/fault_reconcile.py's."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Any

from textual import on

from backends.contracts import ends_on_time
from backends.faults_core import Limits
from backends.models import (
    FaultsSnapshot,
    FaultWindow,
    HealthState,
    LatencySnapshot,
    SourceHealth,
    WindowState,
)
from tui.fault_quit import quit_words
from tui.fault_reconcile import FaultReconcile
from tui.fault_sends import FaultSends
from tui.palette import key_of, shown_key
from tui.panes.faults import FaultsPane
from tui.panes.keyed_table import KeyedTable
from tui.quit_keys import TYPED_WORDS, on_dashboard, quit_key_here, typed_unsent

if TYPE_CHECKING:
    from tui.screens.fault_details import FaultDetailsScreen

# Screens are imported when first opened: they are not on the first frame's path.

QUIT_AGAIN_S = 5.0  # a second q within this quits with fault windows open
QUIT_REFRESH_S = 1.0  # how long q waits for the faults source to say what is open now


class FaultActions(FaultReconcile, FaultSends):
    """Mixed into WatchfloorApp, which provides `sources`, `clock` and `snapshots`."""

    sources: Any
    clock: Any
    snapshots: dict[str, Any]
    timeline: Any

    # --- keys -------------------------------------------------------------------------

    async def action_schedule_fault(self) -> None:
        if self._fault_read_only():
            return
        from tui.screens.fault_window import FaultWindowScreen

        latency = self.snapshots.get("latency")
        routes = [r.route for r in getattr(latency, "routes", ())]  # suggested as guard route
        limits = getattr(self.sources["faults"], "limits", None)  # the form checks these
        limits = limits if isinstance(limits, Limits) else None

        def latency_now() -> LatencySnapshot | None:  # what the reconciler's guards read
            snap = self.snapshots.get("latency")
            return snap if isinstance(snap, LatencySnapshot) else None

        actor = self.sources.ctx.actor
        await self.push_screen(FaultWindowScreen(actor, routes, limits, latency_now))

    async def action_end_fault(self) -> None:
        """The window under the faults pane's cursor; from another pane, the one open
        window, or with several open, the faults pane to pick one in (never a guess)."""
        if self._fault_read_only():
            return
        pane = self.query_one(FaultsPane)
        open_windows = self._open_windows()
        if pane.has_focus_within:
            w = pane.selected
        elif len(open_windows) > 1:
            pane.screen.set_focus(pane.focus_target())
            if pane.selected not in open_windows:
                pane.select_first({w.id for w in open_windows})
            self.notify(
                f"{len(open_windows)} windows are open: pick one here ({self._cursor_keys()})"
                f" and press {key_of(self, 'faults.end')} again",
                title="End which window?",
            )
            return
        else:
            w = open_windows[0] if open_windows else None
        if w is not None and await self.end_window(w):
            return
        if not pane.has_focus_within:
            self.notify("No open window to end", severity="warning")
        elif open_windows:
            self.notify(
                f"The window under the cursor has ended: pick an open one ({self._cursor_keys()})",
                severity="warning",
            )
        elif pane.table().row_count:
            self.notify("No open window to end: every window here has ended", severity="warning")
        else:  # none listed ("No fault windows"): none has ended either
            self.notify("No open window to end: no fault window is listed", severity="warning")

    def _cursor_keys(self) -> str:
        """The keys that move a table's cursor, as [keys] has them: "↑ ↓"."""
        return f"{key_of(self, 'table.up')} {key_of(self, 'table.down')}"

    async def end_window(self, w: FaultWindow) -> bool:
        """Ask why, then end this window (tui/screens/end_window.py); False if it is over
        already (ended, nothing applied). An end of it still being sent: said, no dialog."""
        if w.state(self.clock.now()) is WindowState.ENDED and not w.applied:
            return False
        if self.is_sending(f"end:{w.id}"):
            self.notify(
                f"The end of {w.id} is already being sent: its outcome will be shown when it"
                " comes back",
                title="Still sending",
                severity="warning",
            )
            return True
        from tui.screens.end_window import EndWindowScreen

        screen = EndWindowScreen(w, self.clock.now())

        def feed() -> None:  # the time left runs down; an end from elsewhere shows
            screen.set_now(self.clock.now(), self._listed_window(screen.window))

        timer = self.set_interval(1.0, feed, name="end-window")
        await self.push_screen(screen, lambda _: timer.stop())
        return True

    def _listed_window(self, w: FaultWindow) -> FaultWindow | None:
        """The window as the last faults snapshot lists it; None: not listed. No snapshot
        yet: assume it is, as it was."""
        snap = self.snapshots.get("faults")
        if not isinstance(snap, FaultsSnapshot):
            return w
        return next((x for x in snap.windows if x.id == w.id), None)

    @on(KeyedTable.Selected, "#faults-table")
    async def _fault_details(self, message: KeyedTable.Selected) -> None:
        """Enter on a fault window: its details, whole, with a live countdown."""
        snap = self.query_one(FaultsPane).snapshot  # what the rows were made from
        windows = snap.windows if isinstance(snap, FaultsSnapshot) else ()
        w = next((x for x in windows if x.id == message.key), None)
        if w is None:
            return
        from tui.screens.fault_details import FaultDetailsScreen

        screen = FaultDetailsScreen(w, self.clock.now(), self._end_from_details)

        def feed() -> None:
            screen.reconciler = self.reconciler_mode()  # a window due: who would start it
            snap = self.snapshots.get("faults")
            screen.source_down = bool(snap and snap.health.state is HealthState.ERROR)
            screen.update(self.clock.now(), self._listed_window(screen.item))

        feed()
        timer = self.set_interval(1.0, feed, name="fault-details")
        await self.push_screen(screen, lambda _: timer.stop())

    async def _end_from_details(self, screen: FaultDetailsScreen) -> None:
        """`e` in a window's details: end it; the details then show it ended."""
        if self._fault_read_only():
            return
        w = self._listed_window(screen.item)
        if w is None:
            self.notify(f"{screen.item.id} is no longer listed: nothing to end", severity="warning")
        elif not await self.end_window(w):
            self.notify(f"{w.id} has ended already: nothing to end", severity="warning")

    def _open_windows(self) -> list[FaultWindow]:
        """Windows applied, active or still to start, as the faults pane last saw them."""
        snap = self.snapshots.get("faults")
        now = self.clock.now()
        windows = snap.windows if isinstance(snap, FaultsSnapshot) else ()
        return [w for w in windows if w.applied or w.state(now) is not WindowState.ENDED]

    async def action_halt_all(self) -> None:
        if self._fault_read_only():
            return
        from tui.screens.halt import HaltScreen

        def health() -> SourceHealth | None:
            snap = self.snapshots.get("faults")
            return snap.health if snap is not None else None

        screen = HaltScreen.of(health(), len(self._open_windows()), self.sources["faults"].name)

        def feed() -> None:  # a window scheduled from another terminal meanwhile counts
            screen.update(health(), len(self._open_windows()))

        timer = self.set_interval(1.0, feed, name="halt")
        await self.push_screen(screen, lambda _: timer.stop())

    async def action_quit(self) -> None:
        """Actions still being sent are waited for first (tui/in_flight.py: q again quits
        at once). Then, with fault windows open, the first q says what closing leaves
        running or not started (tui/fault_quit.py); a second one within QUIT_AGAIN_S
        quits. (The dashboard is their reconciler by default.) So does text typed in a
        dialog on top: a quit would drop it unsent."""
        if self.quitting_anyway():
            await super().action_quit()
            return
        seen = len(self._open_windows())  # as last polled: the wait's notice is at once
        if self.wait_to_quit(f"and {seen} fault window(s) open" if seen else ""):
            return
        armed = getattr(self, "_quit_armed", None)
        first = armed is None or time.monotonic() - armed > QUIT_AGAIN_S  # not a second q
        if first:
            # the windows as they are now, not at the last poll: one scheduled from another
            # terminal a second ago counts too (a slow backend gets a second, no more)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.refresh_now("faults"), QUIT_REFRESH_S)
        open_windows = self._open_windows()
        typed = typed_unsent(self)  # a dialog's text, which quitting drops
        if first and (open_windows or typed):
            self._quit_armed = time.monotonic()
            self._ask_before_quitting(open_windows, typed)
            return
        await super().action_quit()

    def _ask_before_quitting(self, open_windows: list[FaultWindow], typed: bool) -> None:
        """The first quit's question: the windows open, and the text typed in the dialog
        on top; naming the key that quits there (in a dialog, ctrl+q: its field takes q)."""
        quit_key = quit_key_here(self)
        also = f" {TYPED_WORDS}" if typed else ""
        if open_windows:
            halt = shown_key(self, "faults.halt") if on_dashboard(self) else ""
            said = quit_words(
                open_windows,
                self.clock.now(),
                ends_on_time(self.sources["faults"]),
                quit_key,
                halt,
            )
            title = "Quit with fault windows open?"
        else:
            said, title = f"Press {quit_key} again to quit.", "Quit?"
        self.notify(
            f"{said}{also}", title=title, severity="warning", timeout=QUIT_AGAIN_S, markup=False
        )
