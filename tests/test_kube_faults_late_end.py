"""A fault that stayed in the mesh past its end because no reconciler could take it out
(the API server down across the end, back 22 s later), against the fake Kubernetes API
server (tests/kube_fake.py).

Before: the leak alert said "still applied 22 s past its end", but once it was out,
`faults list`, the report and the timeline gave the planned end and "ended on time". Now
the reconciler records when it really came out, and each says it ended 22s late (within
LATE_AFTER, a reconcile round or two, it is still on time, as a late start is).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from backends.audit_history import history_from
from backends.clock import FrozenClock
from backends.fault_times import window_cell
from backends.kube.client import KubeError
from backends.models import FaultWindow
from backends.report_faults import fault_windows_section
from backends.timeline import Timeline, window_key
from tests.conftest import T0
from tests.kube_fake import FakeKube, virtual_service
from tests.kube_faults_helpers import ERIN, request, sources
from tui.commands.faults_listing import list_lines
from tui.screens.fault_details import FaultDetailsScreen


async def test_a_fault_taken_out_22s_late_says_so_everywhere(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    w = await faults.schedule(request(duration=timedelta(minutes=2)), ERIN)
    tl = Timeline()
    tl.observe(await faults.snapshot(), frozen_clock.now())
    frozen_clock.advance(120)  # its end: the API server is down
    api.fail("GET", 503, times=2)  # a read is retried once
    with pytest.raises(KubeError):
        await faults.reconcile()
    frozen_clock.advance(22)  # back
    assert await faults.reconcile() == [f"{w.id} stage/docs-api: removed, ended 22s late"]

    snap, now = await faults.snapshot(), frozen_clock.now()
    tl.observe(snap, now)
    (row,) = [x for x in list_lines(snap, now) if x.startswith(w.id)]
    assert "09:00:00-09:02:22Z (ended 22s late, planned 09:02:00Z)" in row, row
    assert row.endswith("— ended 22s late"), row
    report = fault_windows_section(snap, now)
    assert "  - state: ended at 09:02:22Z (planned 09:02:00Z), ended 22s late" in report, report
    (end,) = [e for e in tl.events if e.key == window_key(w.id, "end")]
    assert end.at == T0 + timedelta(seconds=142) and end.text.endswith("; ended 22s late")

    # a dashboard that no longer lists it reads the same from the audit trail
    read = history_from(await src["audit"].records(limit=100), now)
    (trail,) = read.windows
    assert trail.ended_late_at == T0 + timedelta(seconds=142)
    assert window_cell(trail, T0.date()) == "09:00:00-09:02:22Z (ended 22s late, planned 09:02:00Z)"
    await src.aclose()


@pytest.mark.parametrize(("after_s", "late"), [(0, False), (5, False), (6, True)])
async def test_an_end_within_a_reconcile_round_or_two_is_on_time(
    after_s: int, late: bool, api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    w = await faults.schedule(request(duration=timedelta(minutes=2)), ERIN)
    frozen_clock.advance(120 + after_s)
    (line,) = await faults.reconcile()
    assert line.endswith(f"ended {after_s}s late" if late else "ended on time"), line
    (done,) = (await faults.snapshot()).windows
    assert (done.ended_late_at is not None) is late
    assert ("late" in window_cell(done, T0.date())) is late
    assert w.id in line
    await src.aclose()


def test_started_late_and_ended_late_says_both_planned_times() -> None:
    w = FaultWindow(
        id="w1",
        spec=request().spec,
        owner="alice",
        reason="drill",
        starts_at=T0,
        ends_at=T0 + timedelta(minutes=4),
        started_at=T0 + timedelta(seconds=90),
        ended_late_at=T0 + timedelta(minutes=5),
        end_reason="ended 1m00s late",
    )
    assert window_cell(w, T0.date()) == (
        "09:01:30-09:05:00Z (started late, ended 1m00s late, planned 09:00:00-09:04:00Z)"
    )


async def test_its_details_say_when_it_really_ended() -> None:
    w = FaultWindow(
        id="w1",
        spec=request().spec,
        owner="alice",
        reason="drill",
        starts_at=T0,
        ends_at=T0 + timedelta(minutes=2),
        started_at=T0,
        ended_late_at=T0 + timedelta(seconds=142),
        end_reason="ended 22s late",
    )

    async def end(_: FaultDetailsScreen) -> None:
        return None

    rows = dict(FaultDetailsScreen(w, T0 + timedelta(minutes=5), end).rows())
    assert str(rows["planned end"]).startswith("2026-03-16 09:02:00Z")
    assert str(rows["ended at"]).startswith("2026-03-16 09:02:22Z")
    assert str(rows["ended at"]).endswith("ended 22s late")
