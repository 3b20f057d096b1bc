"""One Protocol per capability. Each is a stream of snapshots plus async actions.

`watch()` yields a snapshot whenever the source has news (push adapters) or after each
poll (polling adapters, which sleep *after* a poll finishes, so requests never stack up).
A source that fails keeps yielding: the last data, with health set to error.

Writing a plugin (registered in the `watchfloor.backends` entry-point group, as a
backends.registry.BackendPlugin). Every mutating action (grant, revoke, rollback
rehearsal, schedule or end a fault window, HALT ALL) takes one path: validate -> policy
check -> step-up (a grant) -> audit the request, fail closed -> apply -> audit the outcome.

- By default the core runs that path around your source (backends/guarded.py): your
  action is called only once the request passed and its audit record is written, and is
  the "apply". Then it MUST only apply the change: not check, not audit (that would be a
  second record), and never ask for the step-up code (it is spent; you get it blank).
- It MUST NOT return before the change is made, nor pretend: return what the Protocol
  says (a Grant, a FaultWindow, the count HALT ALL ended), as the backend has it.
- To say that a failure changed nothing, raise ActionRefused (refused: nothing applied)
  or note the error with `noting(exc, NOT_APPLIED)`; with ANSWER_LOST when the change went
  out and no answer came. Anything else you raise reads "may have taken effect".
- Only if your source runs the whole path itself, as the built-ins do (BreakGlassGate,
  FaultPolicy, backends.rehearsals, then backends.actions.audited with the context's
  audit sink), list its capability in BackendPlugin.audits_itself. Then the core does
  not wrap it, and what it promises the user is yours to keep.
- Reads MUST NOT change anything; `watch()` is never audited.

The action errors (ActionRefused, UnauditedRemoval, the notes NOT_APPLIED, ANSWER_LOST)
are in backends.action_errors; they are imported from here too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from backends.action_errors import ANSWER_LOST as ANSWER_LOST
from backends.action_errors import APPLYING as APPLYING
from backends.action_errors import NOT_APPLIED as NOT_APPLIED
from backends.action_errors import ActionRefused as ActionRefused
from backends.action_errors import UnauditedRemoval as UnauditedRemoval
from backends.action_errors import answer_lost as answer_lost
from backends.action_errors import not_applied as not_applied
from backends.action_errors import noting as noting
from backends.action_errors import while_applying as while_applying
from backends.models import (
    AccessSnapshot,
    Actor,
    AuditRecord,
    AuditVerification,
    Decision,
    FaultRequest,
    FaultsSnapshot,
    FaultWindow,
    Grant,
    GrantRequest,
    GrantsSnapshot,
    LatencySnapshot,
    ReleaseSnapshot,
    Snapshot,
)

CAPABILITIES: tuple[str, ...] = (
    "access",
    "grants",
    "release",
    "latency",
    "faults",
    "audit",
    "stepup",
)
PANES: tuple[str, ...] = ("access", "grants", "release", "latency", "faults")


@runtime_checkable
class Source(Protocol):
    name: str

    def watch(self) -> AsyncIterator[Snapshot]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class AccessSource(Protocol):
    name: str

    def watch(self) -> AsyncIterator[AccessSnapshot]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class DecisionHistory(Protocol):
    """An AccessSource that keeps its last decisions in memory (bounded), so a candidate
    policy can be tried against them (`watchfloor policy replay`, the `p` key)."""

    async def recent_decisions(self, limit: int = 1000) -> list[Decision]:
        """Up to `limit` of the latest decisions, oldest first."""
        ...


@runtime_checkable
class GrantSource(Protocol):
    """`grant` puts the grant in and returns it as stored (its id, expiry), `revoke` takes
    it out. Unless the plugin lists "grants" in `audits_itself`, the core checks both first
    (validation, breakglass.rego, step-up) and audits them around the call: see above."""

    name: str

    def watch(self) -> AsyncIterator[GrantsSnapshot]: ...

    async def grant(self, req: GrantRequest, actor: Actor) -> Grant: ...

    async def revoke(self, grant_id: str, actor: Actor, reason: str) -> None: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class GrantRoles(Protocol):
    """A GrantSource that can say, without a step-up code, which roles an actor may grant
    (its policy asked for each role it offers): what the grant form suggests."""

    async def grantable_roles(self, actor: Actor) -> tuple[str, ...]: ...


@runtime_checkable
class ReleaseSource(Protocol):
    """`trigger_rehearsal` starts a rollback rehearsal, once the core (unless "release" is
    in `audits_itself`) has checked the reason and that none is running, and audited the
    request. Raise as soon as you know it did not start (ActionRefused, NOT_APPLIED);
    anything raised otherwise is told as "the rehearsal may have started"."""

    name: str

    def watch(self) -> AsyncIterator[ReleaseSnapshot]: ...

    async def trigger_rehearsal(self, actor: Actor, reason: str) -> None: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class LatencySource(Protocol):
    name: str

    def watch(self) -> AsyncIterator[LatencySnapshot]: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class FaultSource(Protocol):
    """Optionally `ends_on_time = True`: a window it started comes out at its end by itself,
    with no reconciler running (the local simulation); else only a reconciler takes it out
    (a mesh keeps its VirtualService). Read through `ends_on_time`. Optionally `limits`
    (a faults_core.Limits): what the form and the checks hold a request to.

    Unless "faults" is in `audits_itself`, the core checks `schedule` (the limits,
    faults.rego) and audits it around the call, and audits `end` and `halt_all` as the
    built-ins do (they go ahead when the trail is down, and say that they were not
    audited): see above."""

    name: str

    def watch(self) -> AsyncIterator[FaultsSnapshot]: ...

    async def schedule(self, req: FaultRequest, actor: Actor) -> FaultWindow: ...

    async def end(self, window_id: str, actor: Actor, reason: str) -> None: ...

    async def halt_all(self, actor: Actor, reason: str) -> int: ...

    async def aclose(self) -> None: ...


def ends_on_time(src: object) -> bool:
    """A FaultSource whose started windows end on time with no reconciler running."""
    return getattr(src, "ends_on_time", False) is True


@runtime_checkable
class FaultReconciler(Protocol):
    """A FaultSource that can also end what is due on its own: windows past their end,
    windows whose guards tripped on `latency`, and starts scheduled ones. Returns one line
    per change. Run by the dashboard and by `watchfloor faults reconcile` (cron, a pod).

    With `start=False` it only takes faults out and never puts one in: what a read-only
    dashboard runs. Ending applies nothing (it removes our fault and restores what was
    there), so a viewer that may change nothing can still stop a window past its end.

    Unless "faults" is in `audits_itself`, the core audits `reconcile` as the built-ins'
    is (backends/guarded_reconcile.py): it reads the windows (your `snapshot()` if you have
    one, else a fresh `watch()`) before and after the call, writes a `fault-start` or
    `fault-reconcile-end` request before each change it sees due and its outcome after,
    and records a change it did not foresee after it was made. Mark what you end in the
    snapshot (`end_reason`, `applied` False, or drop the window); do not audit it too.
    A plugin that lists "faults" in `audits_itself` MUST audit each change itself."""

    async def reconcile(
        self, latency: LatencySnapshot | None = None, *, start: bool = True
    ) -> list[str]: ...


@runtime_checkable
class AuditSink(Protocol):
    name: str

    async def append(
        self,
        actor: str,
        action: str,
        target: str,
        phase: str,
        *,
        record_id: str,
        outcome: str = "",
        details: dict[str, str] | None = None,
    ) -> AuditRecord: ...

    async def records(self, limit: int = 100) -> list[AuditRecord]: ...

    async def verify(
        self, *, expect_key: str = "", expect_head: tuple[int, str] | None = None
    ) -> AuditVerification:
        """Check the hash chain and the signed digests; name the first bad record. With
        `expect_key` (a fingerprint's start) or `expect_head` ((seq, a hash's start)), as
        recorded off the machine, also that the key and that head are still the trail's."""
        ...

    async def aclose(self) -> None: ...


@runtime_checkable
class StepUpVerifier(Protocol):
    """Step-up authentication for privileged actions (the local one is TOTP).

    `verify` raises ActionRefused for a wrong, expired or reused code and never stores
    or logs the code itself. `enroll` returns a provisioning URI (e.g. otpauth://).
    """

    name: str

    async def verify(self, actor: str, code: str) -> None: ...

    async def enroll(self, actor: str, *, rotate: bool = False) -> str: ...

    async def aclose(self) -> None: ...
