"""The dashboard's fault reconcile loop, a mixin of WatchfloorApp (see tui/fault_actions.py
for the keys): every RECONCILE_S one round of the faults source's `reconcile` (windows past
their end, tripped guards, windows due to start), never two at once. Read-only (--read-only,
or the profile's ui.read_only, checked every round) it only ends windows and never starts
one; the faults pane says which (`Reconciler`).

A profile switch fences the loop (`fence_reconcile`): no round starts meanwhile, and a
round of the old profile in flight is waited for (up to FENCE_S, then cancelled) before
the switch is shown, so nothing is ended, started or audited in the old profile after
it."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from textual.app import App

from backends.contracts import FaultReconciler
from tui.panes.faults import FaultsPane, Reconciler

RECONCILE_S = 2.0
FENCE_S = 5.0  # how long a profile switch waits for a round in flight, then cancels it


class FaultReconcile(App[None]):
    """Mixed into WatchfloorApp, which provides `sources`, `snapshots` and `refresh_now`."""

    sources: Any
    snapshots: dict[str, Any]

    async def refresh_now(self, cap: str) -> None:  # provided by WatchfloorApp (SourceFeed)
        raise NotImplementedError

    _reconcile_loop = False
    _reconcile_fenced = False  # a profile switch is under way: no round starts

    def start_fault_reconciler(self) -> None:
        """Every RECONCILE_S, whatever the profile's source (a switch may bring one that
        reconciles); the faults pane shows the mode from now on."""
        self._reconcile_loop = True
        self.set_interval(RECONCILE_S, self._reconcile_tick, name="faults-reconcile")
        self.show_reconciler_mode()

    def reconciler_mode(self) -> Reconciler:
        if not self._reconcile_loop or not isinstance(self.sources["faults"], FaultReconciler):
            return Reconciler.NONE
        return Reconciler.ENDS_ONLY if getattr(self, "read_only", False) else Reconciler.FULL

    def show_reconciler_mode(self) -> None:
        """Push the mode to the faults pane: at start and at once on a profile switch."""
        main = self.screen_stack[0] if self.screen_stack else self.screen  # under any modal
        main.query_one(FaultsPane).reconciler = self.reconciler_mode()

    async def fence_reconcile(self) -> None:
        """Before a profile switch: no round from now on (until `unfence_reconcile`), and
        the round in flight, on the old profile's source, over: finished if it does within
        FENCE_S (its ends and audit records whole), cancelled if not."""
        self._reconcile_fenced = True
        rounds = [w for w in self.workers if w.group == "reconcile" and not w.is_finished]
        if not rounds:
            return
        waits = asyncio.gather(*(w.wait() for w in rounds), return_exceptions=True)
        try:
            await asyncio.wait_for(waits, FENCE_S)
        except TimeoutError:
            for w in rounds:
                w.cancel()
            for w in rounds:
                with contextlib.suppress(Exception):
                    await w.wait()
        self._reconciling = False

    def unfence_reconcile(self) -> None:
        self._reconcile_fenced = False

    def _reconcile_tick(self) -> None:
        if self._reconcile_fenced or self.reconciler_mode() is Reconciler.NONE:
            return
        if not getattr(self, "_reconciling", False):  # a slow API: skip, never pile up
            self._reconciling = True
            self.run_worker(
                self._reconcile_faults(),
                name="faults-reconcile",
                group="reconcile",
                exit_on_error=False,
            )

    async def _reconcile_faults(self) -> None:
        # read-only is read now, as the round starts: a switch to a read-only profile
        # stops starts from the next round on
        start = self.reconciler_mode() is Reconciler.FULL
        sources = self.sources
        try:
            lines = await sources["faults"].reconcile(self.snapshots.get("latency"), start=start)
        except Exception:
            return  # the faults pane shows the source's health; next round tries again
        finally:
            if self.sources is sources:  # not a round a switch cancelled
                self._reconciling = False
        if self.sources is not sources:  # the old profile's: not this one's to say
            return
        for line in lines:
            self.notify(line, title="Fault window")
        if lines:
            await self.refresh_now("faults")
