"""HALT ALL on the kube fault adapter: every managed fault taken out of the mesh, every
open window ended, as the actor who pressed it.

Two dashboards on one data dir (alice's and bob's) may press it at once, or one may `e`
a window, or a reconciler end it, while the other's HALT ALL runs: taking a fault out
carries the resourceVersion read (a 409 is read again: one already out is not a failure),
and each window's end is a compare-and-set in the store (FaultStore.change). So each is
ended by one of them; the other's HALT ALL says by whom ("0 window(s) ended; 2 already
ended by alice"), and so does its audit outcome, as on the local backend.
"""

from __future__ import annotations

from backends.fault_ends import (
    Halted,
    HaltIncomplete,
    halt_details,
    halt_outcome,
    halted_by,
    removal_reason,
)
from backends.fault_policy import FaultPolicy, removal_audited
from backends.faults_core import cancelled, ended, is_open
from backends.kube.mesh import Removal
from backends.kube.reconcile import KubeReconcile, unended
from backends.models import Actor, FaultWindow
from backends.polling import describe_error


class KubeHalt(KubeReconcile):
    """The HALT ALL of KubeFaults, which provides the state declared here."""

    policy: FaultPolicy

    async def halt_all(self, actor: Actor, reason: str) -> int:
        reason = removal_reason(reason)
        await self.policy.check("halt", actor, reason)
        now = self.clock.now()
        # the windows it finds open, from the store (the API server is read only once
        # the request is audited): another may end some before it does
        found = [w.id for w in await self._run(self._db().recent, now) if is_open(w, now)]

        async def apply() -> Halted:
            async with self._lock:
                out = await self._run(self.mesh.remove, None)
                at = self.clock.now()
                stored = await self._run(self._db().recent, at)
                ids = dict.fromkeys([*found, *(w.id for w in stored if is_open(w, at))])
                ids.update(dict.fromkeys(out.removed))
                for wid in out.failed:  # still in the mesh: not ended
                    ids.pop(wid, None)
                why = halted_by(actor.name, reason)

                def new(w: FaultWindow) -> FaultWindow | None:
                    took = w.id in out.removed  # its fault is out (a past end's too)
                    if not (unended(w) if took else is_open(w, at)):
                        return None  # another ended it first: theirs stands
                    # one that was in the mesh ran; one that was not is cancelled
                    ran = w.model_copy(update={"applied": took})
                    return ended(ran, at, why + out.notes(w.id))

                # one put in from another data dir is known from the cluster only
                absent = {wid: out.windows[wid] for wid in out.removed}
                done, left = await self._change(list(ids), new, absent)
                # what it did end is recorded as halted even when another failed
                if out.failed:
                    raise _incomplete(out, done)
                return Halted(done, left)

        return await removal_audited(
            self.ctx.audit,
            actor=actor.name,
            action="fault-halt-all",
            target="*",
            details={"reason": reason, "backend": self.name, "windows": ",".join(found)},
            apply=apply,
            outcome=halt_outcome,  # "applied", or "0 window(s) ended; 2 already ended by …"
            outcome_details=halt_details,
        )


def _incomplete(out: Removal, done: list[FaultWindow]) -> HaltIncomplete:
    """Which windows a HALT ALL that failed on some ended, cancelled, and left in."""

    def named(w: FaultWindow) -> str:
        return f"{w.id} {w.spec.namespace}/{w.spec.target_host}"

    return HaltIncomplete(
        ended=[named(w) for w in done if not cancelled(w)],
        cancelled=[named(w) for w in done if cancelled(w)],
        still_in=[
            f"{named(out.windows[wid])} ({describe_error(exc)})" for wid, exc in out.failed.items()
        ],
    )
