"""A third-party adapter's `reconcile` (registered through the `watchfloor.backends`
entry-point group, written from backends/contracts.py alone) takes faults out and puts
them in without writing a record. The dashboard's reconcile loop ran it, and the audit
trail never said that a window had been taken out on time or that a scheduled one had
been put in: the timeline and the report rebuilt from it had windows that never ended.
Now the core audits it as the built-ins' reconcile is: `fault-reconcile-end` and
`fault-start`, a request before the change and its outcome after (backends/guarded_reconcile.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from backends.clock import FrozenClock
from backends.models import AuditRecord, FaultRequest, FaultSpec
from backends.wiring import Sources
from tests.grant_helpers import ME
from tests.helpers import SIZE, local_sources, wait_for
from tests.thirdparty_plugin import NAME, installed
from tui.app import WatchfloorApp

NOW = FaultRequest(
    spec=FaultSpec(target_host="checkout", namespace="shop", delay_ms=800, delay_percent=10),
    reason="game day: checkout latency",
    duration=timedelta(minutes=10),
)
LATER = NOW.model_copy(update={"start_in": timedelta(minutes=5), "reason": "game day, part two"})


@pytest.fixture
def plugged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frozen_clock: FrozenClock
) -> Iterator[Sources]:
    """Sources with the faults pane on the third-party backend, on the frozen clock."""
    with installed(tmp_path / "site", monkeypatch):
        monkeypatch.setenv("WATCHFLOOR_PANES__FAULTS", NAME)
        monkeypatch.setenv("WATCHFLOOR_UI__REFRESH_S", "0.5")
        yield local_sources(frozen_clock)


async def records(sources: Sources, action: str) -> list[AuditRecord]:
    return [r for r in await sources["audit"].records(100) if r.action == action]


async def two_windows(sources: Sources, clock: FrozenClock) -> tuple[str, str]:
    """One in at once (10 min), one from 5 min on; then 11 min later: the first is past
    its end (its fault still in), the second due."""
    faults = sources["faults"]
    first = await faults.schedule(NOW, ME)
    second = await faults.schedule(LATER, ME)
    clock.advance(11 * 60)
    return first.id, second.id


async def test_the_dashboards_reconcile_of_a_plugin_is_audited_like_the_built_ins(
    plugged: Sources, frozen_clock: FrozenClock
) -> None:
    first, second = await two_windows(plugged, frozen_clock)
    app = WatchfloorApp(plugged, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: all(w.end_reason or w.applied for w in plugged["faults"].windows),
            what="the reconcile round",
        )
        await pilot.pause(0.2)
    ends = await records(plugged, "fault-reconcile-end")
    assert [(r.phase, r.outcome) for r in sorted(ends, key=lambda r: r.seq)] == [
        ("request", ""),
        ("outcome", "applied"),
    ]
    request = min(ends, key=lambda r: r.seq)
    assert request.actor == "watchfloor-reconcile" and request.target == "shop/checkout"
    assert request.details["window_id"] == first
    assert request.details["reason"] == "ended on time" and request.details["backend"] == NAME
    assert request.details["run_by"] == plugged.ctx.actor
    assert "recorded" not in request.details  # asked for before it was made
    starts = sorted(await records(plugged, "fault-start"), key=lambda r: r.seq)
    assert [(r.phase, r.outcome) for r in starts] == [("request", ""), ("outcome", "applied")]
    assert starts[0].details["window_id"] == second and starts[0].details["owner"] == ME.name


async def test_with_the_audit_trail_down_it_still_ends_but_starts_nothing(
    plugged: Sources, frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = await two_windows(plugged, frozen_clock)

    async def broken(*_: object, **__: object) -> AuditRecord:
        raise OSError("disk full")

    monkeypatch.setattr(plugged["audit"], "append", broken)
    said = await plugged["faults"].reconcile(None)  # as `watchfloor faults reconcile`
    windows = {w.id: w for w in plugged["faults"].windows}
    assert not windows[first].applied  # taken out all the same
    assert not windows[second].applied  # not put in unaudited
    unaudited = "not audited: the audit record could not be written (disk full)"
    assert f"{first} shop/checkout: ended on time; {unaudited}" in said
    monkeypatch.undo()  # the trail is back: the next round starts it, audited first
    assert await plugged["faults"].reconcile(None) == [f"{second}: put in"]
    assert next(w for w in plugged["faults"].windows if w.id == second).applied
    starts = sorted(await records(plugged, "fault-start"), key=lambda r: r.seq)
    assert [(r.phase, r.outcome) for r in starts] == [("request", ""), ("outcome", "applied")]
    assert "recorded" not in starts[0].details


async def test_a_window_its_reconcile_leaves_is_asked_for_once(
    plugged: Sources, frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two records every round for a window the plugin does not end would flood the
    trail: asked once; ended later, it is recorded then, after it was made."""
    first, _ = await two_windows(plugged, frozen_clock)

    async def idle(*_: object, **__: object) -> list[str]:
        return []

    monkeypatch.setattr(plugged["faults"].inner.inner, "reconcile", idle)
    for _ in range(2):
        assert await plugged["faults"].reconcile(None) == []
    ends = sorted(await records(plugged, "fault-reconcile-end"), key=lambda r: r.seq)
    left = "refused: the thirdparty backend's reconcile has not ended it"
    assert [(r.phase, r.outcome) for r in ends] == [("request", ""), ("outcome", left)]
    monkeypatch.undo()
    await plugged["faults"].reconcile(None)
    ends = sorted(await records(plugged, "fault-reconcile-end"), key=lambda r: r.seq)
    assert [(r.phase, r.outcome) for r in ends[2:]] == [("request", ""), ("outcome", "applied")]
    assert ends[2].details["recorded"] == "after it was made"
    assert ends[2].details["window_id"] == first and ends[2].details["reason"] == "done"
