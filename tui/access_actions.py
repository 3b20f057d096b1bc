"""The App's access (ABAC) wiring, as a mixin of WatchfloorApp (like GrantActions):
`d` opens the recent denials (fresh ones, and the source's health, pushed in while it is
open), Enter on a deny-rate row the same filtered to that row's key, `p` the policy
dry-run, whose message becomes a replay of the access source's recent decisions through
the candidate, in a worker thread, with progress pushed back to the screen. The dry-run
opens with the candidate and the count last run (for as long as the dashboard runs).

A run is stoppable (`ReplayRun`): Esc in the dialog, or quitting, stops it: the thread
checks a flag before each decision (a stop waits for one evaluation at most), and before
it has its decisions the worker is cancelled. Before, the thread ran on to its end, and
quitting waited for it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App
from textual.worker import Worker

from backends.clock import Clock
from backends.contracts import DecisionHistory
from backends.models import AccessSnapshot, SourceHealth
from backends.polling import describe_error
from tui.panes.keyed_table import KeyedTable

if TYPE_CHECKING:
    from tui.screens.replay import ReplayScreen

# Screens are imported when first opened: they are not on the first frame's path.

DEFAULT_REPLAY = 5000


class ReplayRun:
    """One dry-run's stop: the replay thread checks `stop` before each decision; while
    the decisions are still being read, the worker is cancelled instead."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.worker: Worker[None] | None = None
        self.replaying = False  # the thread has the decisions

    def cancel(self) -> None:
        self.stop.set()
        if not self.replaying and self.worker is not None:
            self.worker.cancel()


class AccessActions(App[None]):
    """Mixed into WatchfloorApp, which provides `sources`, `snapshots` and `clock`."""

    sources: Any
    snapshots: Any
    clock: Clock
    _replay_fields: tuple[str, int] | None = None  # the candidate and count last run

    async def action_denials(self) -> None:
        await self._open_denials()

    @on(KeyedTable.Selected, "#access-table")
    async def _denials_for_key(self, message: KeyedTable.Selected) -> None:
        """Enter on a deny-rate row (`tenant=acme`): the recent denials with that key."""
        await self._open_denials(message.key)

    async def _open_denials(self, query: str = "") -> None:
        snap = self.snapshots.get("access")
        from tui.screens.denials import DenialsScreen

        recent = snap.recent_denied if isinstance(snap, AccessSnapshot) else ()
        health = snap.health if isinstance(snap, AccessSnapshot) else SourceHealth()  # no data
        screen = DenialsScreen(
            recent, getattr(snap, "source", ""), query, health=health, now=self.clock.now()
        )

        def refresh() -> None:
            latest = self.snapshots.get("access")
            if isinstance(latest, AccessSnapshot) and latest.recent_denied != screen.decisions:
                screen.decisions = latest.recent_denied
            # while the source is down, the newest row grows old: the top line says so
            screen.show_source(getattr(latest, "health", SourceHealth()), self.clock.now())

        timer = self.set_interval(1.0, refresh, name="denials")
        await self.push_screen(screen, lambda _: timer.stop())

    async def action_policy_replay(self) -> None:
        from backends.replay import DEFAULT_CANDIDATE
        from tui.screens.replay import ReplayScreen

        src = self.sources["access"]
        note = (
            ""
            if isinstance(src, DecisionHistory)
            else f"The {src.name!r} access backend keeps no decisions to replay;"
            " use `watchfloor policy replay CANDIDATE --events FILE`."
        )
        candidate, limit = self._replay_fields or (str(DEFAULT_CANDIDATE), DEFAULT_REPLAY)
        await self.push_screen(ReplayScreen(candidate, limit, note))

    def on_replay_screen_submitted(self, message: ReplayScreen.Submitted) -> None:
        self._replay_fields = (message.candidate, message.limit)
        path = Path(message.candidate).expanduser()
        if not path.is_file():
            why = "a directory, not a policy file" if path.is_dir() else "no such file"
            message.screen.failed(f"{path}: {why}")
            return
        running = [w.name for w in self.workers if w.group == "replay" and w.is_running]
        if running:  # a second would cancel the first, whose thread runs on regardless
            message.screen.failed(
                f"the dry-run of {running[0]} is still running: its outcome will be shown"
                " when it is done; start this one then"
            )
            return
        run = ReplayRun()
        run.worker = self.run_worker(
            self._replay(message, path, run), name=path.name, group="replay", exit_on_error=False
        )
        message.screen.stop_run = run.cancel

    async def _replay(self, message: ReplayScreen.Submitted, path: Path, run: ReplayRun) -> None:
        from backends.replay import PolicyError, replay
        from backends.replay_words import directions

        screen = message.screen
        src = self.sources["access"]
        try:
            if not isinstance(src, DecisionHistory):
                raise RuntimeError(f"the {src.name!r} access backend keeps no decisions")
            decisions = await src.recent_decisions(message.limit)
        except asyncio.CancelledError:  # stopped (Esc, or quitting) before replaying any
            screen.cancelled()
            raise
        except Exception as exc:
            screen.failed(f"cannot read recent decisions: {describe_error(exc)}")
            return
        if run.stop.is_set():
            screen.cancelled()
            return
        run.replaying = True
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int) -> None:  # in the worker thread
            loop.call_soon_threadsafe(screen.set_progress, done, total)

        try:
            report = await asyncio.to_thread(
                replay,
                decisions,
                [path],
                progress=progress,
                should_stop=run.stop.is_set,
                asked=message.limit,
            )
        except asyncio.CancelledError:  # quitting: the thread stops at its next decision
            run.stop.set()
            raise
        except PolicyError as exc:
            screen.failed(str(exc))
            return
        except Exception as exc:
            screen.failed(f"replay failed: {describe_error(exc)}")
            return
        screen.done(report)  # shown if it is still open; this toast either way
        flips = report.allow_to_deny + report.deny_to_allow
        said = f"{flips:,} of {report.replayed:,} decisions would flip"
        if report.cancelled:
            said = f"cancelled after {report.replayed:,} of {report.available:,}: {said}"
        if flips:
            said += f": {directions(report)}"
        if report.errors:
            said += f"; {report.errors:,} could not be evaluated"
        if report.no_default:
            said += f"; no default for {', '.join(report.no_default)} (undefined counted as deny)"
        worse = flips or report.errors or report.no_default
        self.notify(said, title=screen.what, severity="warning" if worse else "information")
