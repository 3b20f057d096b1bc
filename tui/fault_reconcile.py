"""The dashboard's fault reconcile loop, a mixin of WatchfloorApp (see tui/fault_actions.py
for the keys): every RECONCILE_S one round of the faults source's `reconcile` (windows past
their end, tripped guards, windows due to start), never two at once. Read-only (--read-only,
or the profile's ui.read_only, checked every round) it only ends windows and never starts
one; the faults pane says which (`Reconciler`)."""

from __future__ import annotations

from typing import Any

from textual.app import App

from backends.contracts import FaultReconciler
from tui.panes.faults import FaultsPane, Reconciler

RECONCILE_S = 2.0


class FaultReconcile(App[None]):
    """Mixed into WatchfloorApp, which provides `sources`, `snapshots` and `refresh_now`."""

    sources: Any
    snapshots: dict[str, Any]

    async def refresh_now(self, cap: str) -> None:  # provided by WatchfloorApp (SourceFeed)
        raise NotImplementedError

    _reconcile_loop = False

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

    def _reconcile_tick(self) -> None:
        if self.reconciler_mode() is Reconciler.NONE:
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
        try:
            lines = await self.sources["faults"].reconcile(
                self.snapshots.get("latency"), start=start
            )
        except Exception:
            return  # the faults pane shows the source's health; next round tries again
        finally:
            self._reconciling = False
        for line in lines:
            self.notify(line, title="Fault window")
        if lines:
            await self.refresh_now("faults")
