"""How the end of a fault window and a HALT ALL are said, as every backend stores them and
every front end reads them: who ended it and why, what else came out of the mesh with it,
and what a HALT ALL did (or, failing part-way, did not). Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from backends.faults_core import cancelled
from backends.models import FaultWindow
from backends.text_safe import shown


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
    return by_whom("ended", actor, reason)


HALT = "HALT ALL"


def halted_by(actor: str, reason: str) -> str:
    """HALT ALL, from a dashboard or `watchfloor faults halt`: "HALT ALL by carol: pager"."""
    return by_whom(HALT, actor, reason)


def was_halted(end_reason: str) -> bool:
    """Whether a window's `end_reason` says a HALT ALL ended it (halted_by)."""
    return end_reason.startswith(f"{HALT} by ")


def said_with_more(end_reason: str, said: str) -> str | None:
    """What `end_reason` says after `said` (ended by, HALT ALL by...): '' when it is just
    that; what else came out of the mesh with the window's fault ("the fault on route
    default had been edited (...): removed"); None when it says something else."""
    if end_reason == said:
        return ""
    if end_reason.startswith(f"{said}; "):
        return end_reason[len(said) + 2 :]
    return None


class HaltIncomplete(Exception):
    """A HALT ALL that took some windows' faults out and failed on others: what it ended
    (recorded as halted), what it cancelled before its start, and what is still in the
    mesh, each "ID NS/HOST", the last with why."""

    def __init__(self, ended: list[str], cancelled: list[str], still_in: list[str]) -> None:
        self.ended, self.cancelled, self.still_in = ended, cancelled, still_in
        super().__init__(self.words())

    def words(self) -> str:
        parts = [f"still in the mesh: {'; '.join(self.still_in)}"]
        parts.append(f"ended: {', '.join(self.ended)}" if self.ended else "nothing ended")
        if self.cancelled:
            parts.append(f"cancelled before its start: {', '.join(self.cancelled)}")
        return "; ".join(parts)


def halt_words(
    windows: Iterable[FaultWindow], since: datetime, actor: str, reason: str, n: int
) -> str:
    """What a HALT ALL by `actor` sent at `since` with `reason` did, from the windows read
    after it and the count it returned: "2 window(s) ended, 1 cancelled before its start".
    When the windows read do not account for the count, only the count is said."""
    halted = [
        w
        for w in windows
        if said_with_more(w.end_reason, halted_by(actor, reason)) is not None
        and w.ended_early_at is not None
        and w.ended_early_at >= since
    ]
    waiting = sum(1 for w in halted if cancelled(w))
    if len(halted) != n or not waiting:
        return f"{n} window(s) ended"
    said = f"{waiting} cancelled before its start"
    return f"{n - waiting} window(s) ended, {said}" if n > waiting else said
