"""Actions sent to a backend and not answered yet, in one place, as a mixin of WatchfloorApp:
a grant, a revoke, a fault window, its end, HALT ALL, a rollback rehearsal. Each goes out
through `send`, which runs it as a worker named for what it sends and counts it as in
flight until its outcome is back (and audited by the backend).

Quitting cut them off: the backend had audited the request, never its outcome, and a
revoke sent was never done. So q (ctrl+q, the palette's Quit: whatever runs action_quit)
with an action in flight waits for it, saying which, and quits once every one is back;
a q pressed while it waits quits at once. One that fails or is refused stops the wait (its
error is what the user needs to see), and so does a dialog opened meanwhile."""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from textual.app import App

from tui.quit_keys import quit_key_here

WAIT_TITLE = "Waiting to quit"
WAIT_TOAST_S = 600.0  # gone when the wait ends; it does not time out before


@dataclass(eq=False)  # each one sent is its own, even two alike
class Sending:
    what: str  # as the toasts name it: "Revoke of g-2 (erin@example.com)"
    key: str = ""  # what it acts on, for "already being sent" ("revoke:g-2")


def waiting_words(sending: tuple[Sending, ...], leaving: str = "", quit_key: str = "q") -> str:
    """The waiting notice: which actions, and what q again does (`leaving`: what else
    quitting then leaves running, e.g. open fault windows; `quit_key` as [keys] has it)."""
    n = len(sending)
    names = "; ".join(s.what for s in sending[:3]) + (" …" if n > 3 else "")
    its = "it is" if n == 1 else "they are"
    also = f" ({leaving})" if leaving else ""
    return (
        f"Waiting for {n} action{'' if n == 1 else 's'} to finish: {names}. The dashboard"
        f" quits when {its} done; {quit_key} again quits now, leaving {'it' if n == 1 else 'them'}"
        f" unfinished{also}."
    )


class InFlight(App[None]):
    """Mixed into WatchfloorApp (through the *Actions mixins that send)."""

    in_flight: tuple[Sending, ...] = ()
    quit_waiting: bool = False  # q was pressed with actions in flight
    _leaving = ""  # what else quitting leaves running, as the waiting notice says

    def send(self, what: str, work: Coroutine[Any, Any, bool], key: str = "") -> None:
        """Run `work` (True: done; False: refused or failed, as it has shown) as a worker,
        counted in flight from now on, before the next key is read."""
        sending = Sending(what, key)
        self.in_flight = (*self.in_flight, sending)
        self.run_worker(self._sent(sending, work), name=what, group="actions", exit_on_error=False)

    def is_sending(self, key: str) -> bool:
        return any(s.key == key for s in self.in_flight)

    async def _sent(self, sending: Sending, work: Coroutine[Any, Any, bool]) -> None:
        done = False
        try:
            done = await work
        finally:
            self.in_flight = tuple(s for s in self.in_flight if s is not sending)
            if self.quit_waiting:
                self._waited(sending, done)

    def quitting_anyway(self) -> bool:
        """q pressed again while waiting: True, quit now (what is cut off goes unsaid)."""
        if not self.quit_waiting:
            return False
        self.quit_waiting = False
        self._drop_wait_notice()
        return True

    def wait_to_quit(self, leaving: str = "") -> bool:
        """q: True if the quit waits for actions in flight (the notice says which); False
        if none is."""
        if not self.in_flight:
            return False
        self.quit_waiting = True
        self._leaving = leaving
        self._say_waiting()
        return True

    def _say_waiting(self) -> None:
        self._drop_wait_notice()
        self.notify(
            waiting_words(self.in_flight, self._leaving, quit_key_here(self)),
            title=WAIT_TITLE,
            severity="warning",
            timeout=WAIT_TOAST_S,
            markup=False,
        )

    def _drop_wait_notice(self) -> None:
        for n in [n for n in self._notifications if n.title == WAIT_TITLE]:
            self._unnotify(n)

    def _waited(self, sending: Sending, done: bool) -> None:
        """One action is back while q waits: quit if it was the last, unless it did not go
        through or a dialog has been opened since."""
        why = ""
        if not done:
            why = f"{sending.what} did not go through (its error is shown)"
        elif len(self.screen_stack) > 1:
            why = f"{sending.what} is done, and a dialog is open"
        if why:
            self.quit_waiting = False
            self._drop_wait_notice()
            self.notify(
                f"{why}. {quit_key_here(self)} quits.",
                title="Not quitting",
                severity="warning",
                markup=False,
            )
        elif self.in_flight:
            self._say_waiting()
        else:
            self.quit_waiting = False
            self._drop_wait_notice()
            self.call_later(self.action_quit)  # as a q now: open fault windows still ask
