"""What q says with fault windows open (tui/fault_actions.py asks a second q to quit): each
window, running until when or not started yet, and what closing the dashboard leaves to
whom. A window is put in at its time by a reconciler: this dashboard's loop, another
dashboard's that is not read-only, or `watchfloor faults reconcile`; one not started when
the dashboard closes waits for the next of them, and goes in late then (still ending at its
planned end), or never if its end comes first. A started window comes out at its end by
itself only on a backend that says so (`ends_on_time`: the local simulation); on a mesh
only a reconciler takes it out. Guards are checked only by a reconciler."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from backends.fault_times import clock, span
from backends.models import FaultWindow

SHOWN = 3  # windows named; more are "…"
STARTS_THEM = "a dashboard that is not read-only, or `watchfloor faults reconcile`"


def window_words(w: FaultWindow, now: datetime) -> str:
    """stage/docs-api until 20:56:53Z; stage/search-api not started (planned
    20:55:56-20:59:56Z); each time with its date when not today."""
    today = now.astimezone(UTC).date()
    target = f"{w.spec.namespace}/{w.spec.target_host}"
    if not w.applied:
        return f"{target} not started (planned {span(w.starts_at, w.ends_at, today)})"
    return f"{target} until {clock(w.ends_at, today)}Z"


def quit_words(
    windows: Sequence[FaultWindow],
    now: datetime,
    ends_on_time: bool,
    quit_key: str = "q",
    halt_key: str = "H",
) -> str:
    """The warning of the first q: the open `windows` (applied, or still to start) and
    what happens to them once this dashboard is closed; the keys as [keys] has them, and
    no HALT ALL (`halt_key` "") where it is refused (read-only) or
    covered (a dialog on top)."""
    names = "; ".join(window_words(w, now) for w in windows[:SHOWN])
    more = " …" if len(windows) > SHOWN else ""
    running = sum(1 for w in windows if w.applied)
    waiting = len(windows) - running
    text = f"{len(windows)} fault window(s) open: {names}{more}."
    if running:
        text += running_words(running, ends_on_time, alone=not waiting)
    if waiting:
        text += waiting_words(waiting)
    halt = f"; {halt_key} halts them all" if halt_key else ""
    return text + f" Press {quit_key} again to quit{halt}."


def running_words(n: int, ends_on_time: bool, alone: bool) -> str:
    """What becomes of `n` windows running (`alone`: no other kind is open)."""
    one = n == 1
    if alone:
        subject, obj = ("it", "it") if one else ("they", "them")
    else:
        subject = obj = "the running one" + ("" if one else "s")
    its = "its" if one else "their"
    if ends_on_time:
        return (
            f" Once the dashboard closes {subject} still {'ends' if one else 'end'} on time,"
            f" but nothing checks {its} guards unless `watchfloor faults reconcile` runs"
            " elsewhere."
        )
    return (
        f" Once the dashboard closes nothing ends {obj} or checks {its} guards, unless"
        " `watchfloor faults reconcile` runs elsewhere."
    )


def waiting_words(n: int) -> str:
    """What becomes of `n` windows not started yet."""
    one = n == 1
    what, it, its = ("the one not started", "it", "its") if one else ("those", "they", "their")
    return (
        f" Nothing but {STARTS_THEM}, starts {what}{'' if one else ' not started'}: with none"
        f" running at {its} start {it} {'goes' if one else 'go'} in late, when one runs, or"
        f" never if {its} end comes first."
    )
