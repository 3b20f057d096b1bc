"""How the end of a fault window and a HALT ALL are said, as every backend stores them and
every front end reads them: who ended it and why, what else came out of the mesh with it,
what a HALT ALL did (or, failing part-way, did not), and, when another got there first
(two dashboards' HALT ALL at once), who did. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from backends.actions import APPLIED
from backends.contracts import ActionRefused
from backends.fault_times import clock
from backends.faults_core import cancelled, ended_at
from backends.models import FaultWindow
from backends.text_safe import shown

ENDED, HALT_ALL = "ended", "HALT ALL"  # what `by_whom` says a window's end was
MIN_END_REASON = 10  # as a revoke's: `e` and `watchfloor faults end --reason` ask for one


def end_reason_problem(reason: str) -> str:
    """Why a reason given to end a window is refused before anything is sent ("" it is
    not): at least MIN_END_REASON characters, as a revoke's. (The backends take any
    reason: removal_reason.)"""
    if len(" ".join(reason.split())) < MIN_END_REASON:
        return f"A reason of at least {MIN_END_REASON} characters is required."
    return ""


def removal_reason(reason: str) -> str:
    """The reason of an end or a HALT ALL as it is stored and audited: a control character
    in it is made visible (backends/text_safe.py), not refused: taking faults out never
    waits on a reason typed right."""
    return shown(reason)


def by_whom(what: str, actor: str, reason: str) -> str:
    """Why a window ended early when someone ended it, naming who, as every backend stores
    it: every dashboard's timeline and report and `faults list` read it from there."""
    return f"{what} by {actor}: {reason}"


def ended_by(actor: str, reason: str) -> str:
    """`e` or `watchfloor faults end`: "ended by alice: drill over"."""
    return by_whom(ENDED, actor, reason)


def halted_by(actor: str, reason: str) -> str:
    """HALT ALL, from a dashboard or `watchfloor faults halt`: "HALT ALL by carol: pager"."""
    return by_whom(HALT_ALL, actor, reason)


def ender(end_reason: str) -> tuple[str, str, str] | None:
    """Who ended a window, as `by_whom` stored it: (ENDED or HALT_ALL, the actor, the
    reason); None when it names nobody (a guard tripped, its time was up)."""
    for what in (ENDED, HALT_ALL):
        actor, sep, reason = end_reason.removeprefix(f"{what} by ").partition(": ")
        if end_reason.startswith(f"{what} by ") and sep and actor:
            return what, actor, reason
    return None


def already_ended(w: FaultWindow, now: datetime) -> str:
    """A window that had ended when someone came to end it, as they are told it: "fault
    window 0b180b4a on stage/docs-api was already ended by alice at 09:00:05Z (HALT ALL:
    pager)" ("(drill over)" for `e`); naming nobody: "… was already ended at 09:10:00Z
    (guard: …)", "(on time)"."""
    at = clock(ended_at(w), now.astimezone(UTC).date())  # not today: with its date
    said = f"fault window {w.id} on {w.spec.namespace}/{w.spec.target_host} was already ended"
    found = ender(w.end_reason)
    if found is None:
        return f"{said} at {at}Z ({w.end_reason or 'on time'})"
    what, actor, reason = found
    return f"{said} by {actor} at {at}Z ({f'{HALT_ALL}: ' * (what == HALT_ALL)}{reason})"


class AlreadyEnded(ActionRefused):
    """An end (`e`, `watchfloor faults end`, a reconciler's) or a start of a window that
    had ended first: who ended it, when and how, then `what` ("nothing to end"). Refused
    before anything was changed, as `grants revoke` of a revoked grant is. `window`: the
    window as stored."""

    def __init__(self, window: FaultWindow, now: datetime, what: str = "nothing to end") -> None:
        super().__init__(f"{already_ended(window, now)}: {what}")
        self.window = window


def _how_it_ended(w: FaultWindow) -> str:
    """ "by alice"; a window nobody ended: "by its guard", "on time"."""
    found = ender(w.end_reason)
    if found is not None:
        return f"by {found[1]}"
    return "by its guard" if "guard: " in w.end_reason else "on time"


def already_words(windows: Sequence[FaultWindow]) -> str:
    """The windows a HALT ALL found open and another ended first: "2 already ended by
    alice"; "3 already ended: 2 by alice, 1 by carol"."""
    counts: dict[str, int] = {}
    for w in windows:
        how = _how_it_ended(w)
        counts[how] = counts.get(how, 0) + 1
    if len(counts) == 1:
        return f"{len(windows)} already ended {next(iter(counts))}"
    return f"{len(windows)} already ended: " + ", ".join(f"{n} {how}" for how, n in counts.items())


class Halted(int):
    """What a HALT ALL returns: how many windows it ended (an int, as a backend whose
    windows no other can end first returns), with which (`ended`, as stored) and those it
    found open that another ended before it could (`already`: another dashboard's HALT ALL,
    an `e`, a reconciler), as they are stored: the HALT ALL says by whom."""

    ended: tuple[FaultWindow, ...]
    already: tuple[FaultWindow, ...]

    def __new__(cls, ended: Iterable[FaultWindow], already: Iterable[FaultWindow] = ()) -> Halted:
        done = tuple(ended)
        self = super().__new__(cls, len(done))
        self.ended, self.already = done, tuple(already)
        return self


def halt_outcome(n: int) -> str:
    """A HALT ALL's audit outcome: "applied"; when another had ended some of the windows
    first, what it did as its toast says it: "0 window(s) ended; 2 already ended by alice"."""
    if not isinstance(n, Halted) or not n.already:
        return APPLIED
    return _halt_said(n, sum(1 for w in n.ended if cancelled(w)), n.already)


def halt_details(n: int) -> dict[str, str]:
    """What a HALT ALL's outcome record adds to its request's details (which listed every
    window it found open): when another ended some first, the ones it did end (`windows`)
    and the others (`already_ended`), so that a trail read later names who ended each."""
    if not isinstance(n, Halted) or not n.already:
        return {}
    return {
        "windows": ",".join(w.id for w in n.ended),
        "already_ended": ",".join(w.id for w in n.already),
    }


def was_halted(end_reason: str) -> bool:
    """Whether a window's `end_reason` says a HALT ALL ended it (halted_by)."""
    return end_reason.startswith(f"{HALT_ALL} by ")


def said_with_more(end_reason: str, said: str) -> str | None:
    """What `end_reason` says after `said` (ended by, HALT ALL by...): '' when it is just
    that; what else came out of the mesh with the window's fault ("the fault on route
    default had been edited (...): removed"); None when it says something else."""
    if end_reason == said:
        return ""
    if end_reason.startswith(f"{said}; "):
        return end_reason[len(said) + 2 :]
    return None


def before_started(n: int) -> str:
    """Of `n` windows cancelled before their fault went in: "before it started" (one),
    "before they started" (several)."""
    return "before it started" if n == 1 else "before they started"


def removed_outcome(notes: str) -> str:
    """The audit outcome of taking a window's fault out, with what else came out of the
    mesh with it (`notes`, as its stored end says it): "applied", or "applied; the fault
    on route default had been edited (...): removed"."""
    return APPLIED + notes


def removed_notes(outcome: str) -> str:
    """What `removed_outcome` added to "applied" ("; the fault on route ..."), read back
    from the trail; also after an outcome recorded without its request (the audit was
    down then). '' when it says nothing more, or the removal was not applied."""
    if not outcome.startswith(APPLIED):
        return ""
    _, sep, more = outcome.partition("; ")
    return sep + more


class HaltIncomplete(Exception):
    """A HALT ALL that took some windows' faults out and failed on others: what it ended
    (recorded as halted), what it cancelled before it started, and what is still in the
    mesh, each "ID NS/HOST", the last with why."""

    def __init__(self, ended: list[str], cancelled: list[str], still_in: list[str]) -> None:
        self.ended, self.cancelled, self.still_in = ended, cancelled, still_in
        super().__init__(self.words())

    def words(self) -> str:
        parts = [f"still in the mesh: {'; '.join(self.still_in)}"]
        parts.append(f"ended: {', '.join(self.ended)}" if self.ended else "nothing ended")
        if self.cancelled:
            said = before_started(len(self.cancelled))
            parts.append(f"cancelled {said}: {', '.join(self.cancelled)}")
        return "; ".join(parts)


def halt_words(
    windows: Iterable[FaultWindow], since: datetime, actor: str, reason: str, n: int
) -> str:
    """What a HALT ALL by `actor` sent at `since` with `reason` did, from the windows read
    after it and the count it returned: "2 window(s) ended, 1 cancelled before it started",
    "3 cancelled before they started"; and, when another had ended some first (`n` is
    Halted), by whom: "0 window(s) ended; 2 already ended by alice".
    When the windows read do not account for the count, only the count is said."""
    halted = [
        w
        for w in windows
        if said_with_more(w.end_reason, halted_by(actor, reason)) is not None
        and w.ended_early_at is not None
        and w.ended_early_at >= since
    ]
    waiting = sum(1 for w in halted if cancelled(w))
    already = n.already if isinstance(n, Halted) else ()
    return _halt_said(n, waiting if len(halted) == n else 0, already)


def _halt_said(n: int, waiting: int, already: Sequence[FaultWindow]) -> str:
    """`n` window(s) ended, of which `waiting` cancelled before they started, and the
    windows `already` ended by another."""
    if not waiting:
        said = f"{int(n)} window(s) ended"
    else:
        said = f"{waiting} cancelled {before_started(waiting)}"
        said = f"{n - waiting} window(s) ended, {said}" if n > waiting else said
    return f"{said}; {already_words(already)}" if already else said
