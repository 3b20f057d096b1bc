"""backends.plugin_guard without the dashboard: a plugin's stream held to the contract,
with a fake clock where time matters (no timed assertion can flake)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from backends.contracts import PANES
from backends.models import HealthState, ReleaseSnapshot, Snapshot, SourceHealth
from backends.plugin_guard import BLOCK_HOLD_S, Guard, PluginBroke
from backends.wiring import SNAPSHOT_TYPES
from tests.helpers import local_sources

T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


class FakeTimer:
    """The guard's monotonic timer: moves only when a test (or its plugin) says."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def good() -> ReleaseSnapshot:
    return ReleaseSnapshot(
        observed_at=T0, source="statuspage", health=SourceHealth(state=HealthState.OK)
    )


class Scripted:
    """A third-party source whose watch() runs `steps`: a number holds the loop that many
    (fake) seconds, a snapshot is yielded."""

    name = "statuspage"

    def __init__(self, timer: FakeTimer, steps: list[Any]) -> None:
        self.timer, self.steps = timer, steps

    async def watch(self) -> AsyncIterator[Snapshot]:
        for step in self.steps:
            if isinstance(step, float):
                self.timer.now += step  # as time.sleep(step) would, holding the loop
            else:
                yield step
                await asyncio.sleep(0)


async def take(guard: Guard, n: int) -> list[Snapshot]:
    got = []
    async for snap in guard.stream():
        got.append(snap)
        if len(got) == n:
            break
    return got


async def test_a_step_that_held_the_loop_is_a_warning_on_the_pane_and_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    timer = FakeTimer()
    src = Scripted(timer, [good(), 5.0, good(), 0.1, good()])
    guard = Guard(src, ReleaseSnapshot, "statuspage", timer=timer)
    with caplog.at_level(logging.WARNING, logger="watchfloor.plugins"):
        first, blocked, after = await take(guard, 3)
    assert first.health.warning is None
    said = "statuspage blocked the dashboard for 5.0s: watch() must not block"
    assert blocked.health.warning == said
    assert after.health.warning == said  # it stays a while: one block is not forgotten at once
    assert blocked.health.state is HealthState.OK  # the data itself is fine
    assert "held the event loop for 5.0s" in caplog.text
    assert "statuspage" in caplog.text


async def test_the_warning_goes_once_the_source_has_not_blocked_for_a_while() -> None:
    timer = FakeTimer()
    src = Scripted(timer, [5.0, good(), good(), good()])
    stream = Guard(src, ReleaseSnapshot, "statuspage", timer=timer).stream()
    warnings = [(await anext(stream)).health.warning]
    for waited in (BLOCK_HOLD_S / 2, BLOCK_HOLD_S / 2 + 1):  # between polls, not in a step
        timer.now += waited
        warnings.append((await anext(stream)).health.warning)
    await stream.aclose()
    assert warnings[0] is not None and warnings[1] == warnings[0]
    assert warnings[2] is None


def test_a_snapshot_built_without_validation_is_refused_by_field() -> None:
    naive = datetime(2026, 3, 16, 9, 0)  # noqa: DTZ001 - the plugin's mistake, on purpose
    health = SourceHealth.model_construct(state=HealthState.OK, last_ok_at=naive)
    snap = ReleaseSnapshot.model_construct(observed_at=naive, health=health, source="x")
    guard = Guard(object(), ReleaseSnapshot, "statuspage")
    with pytest.raises(PluginBroke) as caught:
        guard.check(snap)
    said = str(caught.value)
    assert said.startswith("answered with bad data: ReleaseSnapshot observed_at: needs a timezone")
    assert "plugin 'statuspage'" in said


def test_the_wrong_type_names_what_came_and_what_was_expected() -> None:
    guard = Guard(object(), ReleaseSnapshot, "statuspage")
    with pytest.raises(PluginBroke, match="yielded dict, expected ReleaseSnapshot"):
        guard.check({"observed_at": "now"})


async def test_validated_again_a_real_snapshot_is_unchanged() -> None:
    """What the guard does to every third-party snapshot changes nothing in a good one:
    the local simulation's, of every pane, checked as if they came from a plugin."""
    sources = local_sources()
    try:
        for cap in PANES:
            snap = await anext(aiter(sources[cap].watch()))
            untrusted = Guard(sources[cap], SNAPSHOT_TYPES[cap], "someone-elses")
            assert untrusted.check(snap) == snap
    finally:
        await sources.aclose()


async def test_a_stream_that_never_awaits_does_not_starve_the_others() -> None:
    class Hot:
        name = "hot"

        async def watch(self) -> AsyncIterator[Snapshot]:
            while True:
                yield good()  # no await at all: without the guard, its reader never yields

    ticks = 0

    async def other() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(other())
    await take(Guard(Hot(), ReleaseSnapshot, "hot"), 50)
    task.cancel()
    assert ticks >= 10
