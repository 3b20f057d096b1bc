"""`watchfloor policy replay` without --events: listen to the configured access source
for a while, then take the decisions it keeps, and what it said meanwhile.

What it said matters: with the broker unreachable the source keeps no decisions, and
"replayed 0 decisions ... 0 unchanged" (exit 0) passed `--fail-on-flips` in CI having
checked nothing. The command says in one line that the source cannot be reached, or,
from a source that answers, that there is nothing to replay and why (what its health
says: "no decisions received on watchfloor/decisions since 20:31:02Z").
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

from backends.access_nodata import other_path_note
from backends.models import AccessSnapshot, Decision, HealthState
from tui.commands.common import load_config

FIRST_WORD_S = 10.0  # after --for, how long to wait for a source still starting up


@dataclass(frozen=True)
class Heard:
    """The decisions kept, and the source's last snapshot (None: it gave none)."""

    source: str
    decisions: list[Decision]
    latest: AccessSnapshot | None


async def listen(args: Any) -> Heard:
    """Follow the access source for `args.listen` seconds, then ask it for the last
    `args.last` decisions. Raises SystemExit for a source that keeps none."""
    from backends.contracts import DecisionHistory
    from backends.wiring import build_sources

    sources = build_sources(load_config(args))
    try:
        src = sources["access"]
        name = getattr(src, "name", "?")
        if not isinstance(src, DecisionHistory):
            raise SystemExit(f"the access backend {name!r} keeps no decisions; give --events FILE")
        latest: AccessSnapshot | None = None
        heard = asyncio.Event()  # it answered, or failed: not still starting

        async def follow() -> None:
            nonlocal latest
            async for snap in sources["access"].watch():
                if isinstance(snap, AccessSnapshot):
                    latest = snap
                    if snap.health.answering or snap.health.state is HealthState.ERROR:
                        heard.set()

        task = asyncio.create_task(follow())
        try:
            await asyncio.sleep(args.listen)
            if not heard.is_set():  # a short --for: give it time to say (as `snapshot`)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(heard.wait(), FIRST_WORD_S)
            decisions = await src.recent_decisions(args.last)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        return Heard(name, decisions, latest)
    finally:
        await sources.aclose()


def unreachable(heard: Heard, listen_s: float) -> str:
    """Why nothing could come ("" when the source answered): `the access source (mqtt)
    cannot be reached: connection refused (127.0.0.1:1883)`."""
    snap = heard.latest
    if snap is not None and snap.health.answering:
        return ""
    what = f"the access source ({heard.source})"
    if snap is None:
        return f"{what} gave no update in {listen_s:g}s"
    if snap.health.state is HealthState.ERROR:
        why = (snap.health.last_error or "it failed").partition("; retry in")[0]
        return f"{what} cannot be reached: {why}"
    return f"{what} had not answered after {listen_s:g}s"


def nothing_to_replay(heard: Heard, listen_s: float) -> str:
    """`nothing to replay: no decisions received on watchfloor/decisions since
    20:31:02Z (listened 3s); 20 events of another path (abac/allow) ignored`."""
    snap = heard.latest
    quiet = snap.health.last_error if snap is not None else None
    words = f"nothing to replay: {quiet or f'the access source ({heard.source}) kept none'}"
    words += f" (listened {listen_s:g}s)"
    if snap is not None and snap.other_path:
        words += f"; {other_path_note(snap.other_path, snap.other_paths)}"
    return words
