"""Two on-call engineers on one data dir: an action of one of them that another gets in
ahead of, between reading what it acts on and changing it (where a race is lost)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from backends.wiring import Sources
from tests.helpers import local_sources


def sources_of(monkeypatch: pytest.MonkeyPatch, actor: str, clock: Any = None) -> Sources:
    """`actor`'s sources (a dashboard's, or the command line's) on the test's data dir."""
    monkeypatch.setenv("WATCHFLOOR_UI__ACTOR", actor)
    return local_sources(clock)


def ahead_of(
    monkeypatch: pytest.MonkeyPatch,
    sources: Sources,
    action: str,
    first: Callable[[], Awaitable[object]],
) -> list[object]:
    """Once `sources` has audited the request of `action` (it has read what it acts on,
    and changes it next), `first` runs, to the end: the other engineer's action, which
    wins the race. What `first` returned is appended to the list returned."""
    audit = sources.ctx.audit
    append = audit.append
    done: list[object] = []

    async def other_first(actor: str, act: str, target: str, phase: str, **kw: Any) -> Any:
        record = await append(actor, act, target, phase, **kw)
        if act == action and phase == "request" and not done:
            done.append(await first())
        return record

    monkeypatch.setattr(audit, "append", other_first)
    return done
