"""What a failed action says: refused before anything was applied (ActionRefused),
applied but unaudited (UnauditedRemoval), and the notes on an error that tell whether its
change went out (NOT_APPLIED, ANSWER_LOST, APPLYING). Re-exported from backends.contracts."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar


class ActionRefused(Exception):
    """An action was refused before anything was applied (validation, policy, audit).
    `field`: the request's field it is about, when one is (e.g. "spec.target_host"), so a
    form can put the focus there. `until`: a refusal that holds only until then (a rate
    limit), and `over`: what a dialog says once it has passed ("The rate limit is over")."""

    def __init__(
        self, message: str, field: str = "", *, until: datetime | None = None, over: str = ""
    ) -> None:
        super().__init__(message)
        self.field = field
        self.until = until
        self.over = over


class UnauditedRemoval(Exception):
    """Faults were taken out, but the audit trail does not record it: the request record
    (or the outcome) could not be written. The removal stands (taking faults out never
    waits on the trail, backends/fault_policy.py); what it did must still be told, and that
    it went unaudited. `result`: what the removal returned; the message: why, as
    "not audited: the audit record could not be written (...)"."""

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result


APPLYING = "watchfloor: raised while the change was being applied (it may have taken effect)"
NOT_APPLIED = "watchfloor: nothing was applied (not sent, or the backend refused it)"
ANSWER_LOST = "watchfloor: sent, but its answer was lost (it may have taken effect)"
E = TypeVar("E", bound=BaseException)


def _noted(exc: BaseException, note: str) -> bool:
    return note in getattr(exc, "__notes__", ())


def while_applying(exc: BaseException) -> bool:
    """An action failed once its change had gone out (it may have taken effect), not
    before: `backends.actions.audited` notes it on what `apply` raised, unless the error
    says nothing was applied (`not_applied`)."""
    return _noted(exc, APPLYING)


def not_applied(exc: BaseException) -> bool:
    """The error says the change was not made: it never went out (refused connection, a
    rate limit waited out locally), or the backend answered no (a 4xx)."""
    return _noted(exc, NOT_APPLIED)


def answer_lost(exc: BaseException) -> bool:
    """The change went out and no answer came back (a read timeout, a dropped connection,
    a 5xx): it may have taken effect, and only a later read can tell."""
    return _noted(exc, ANSWER_LOST)


def noting(exc: E, note: str) -> E:
    """`exc` with `note` (NOT_APPLIED or ANSWER_LOST) added once: how a client says which
    way a write failed."""
    if not _noted(exc, note):
        exc.add_note(note)
    return exc
