"""Two windows on one host at once, on kube: refused when the second is scheduled, naming
the first. A VirtualService carries one window's fault at a time.

Before: `faults schedule ... --start-in 1m` on docs-api, with a window active there, was
accepted ("scheduled"), then quietly cancelled when due ("not started: stage/docs-api
already carries fault window d9335b37").
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from backends.clock import FrozenClock
from backends.contracts import ActionRefused
from tests.kube_fake import FakeKube, virtual_service
from tests.kube_faults_helpers import ERIN, request, sources


async def test_a_window_overlapping_another_on_its_host_is_refused_naming_it(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    first = await faults.schedule(request(duration=timedelta(minutes=10)), ERIN)  # 09:00-09:10
    with pytest.raises(ActionRefused) as caught:
        await faults.schedule(request(start_in=timedelta(minutes=1)), ERIN)
    assert str(caught.value) == (
        f"stage/docs-api has fault window {first.id} (09:00:00-09:10:00Z), which this one"
        f" overlaps: one window per host at a time; start it after 09:10:00Z or end"
        f" {first.id} first"
    )
    assert caught.value.field == "start_in"  # the form puts the focus there
    assert [w.id for w in (await faults.snapshot()).windows] == [first.id]
    records = [r for r in await src["audit"].records(limit=20) if r.action == "fault-schedule"]
    assert [r.phase for r in records] == ["request", "outcome"] * 2  # the refusal audited
    assert first.id in records[-1].outcome

    # another host, another namespace, or from its end on: accepted
    await faults.schedule(request(host="search-api"), ERIN)
    await faults.schedule(request(ns="dev"), ERIN)
    after = await faults.schedule(request(start_in=timedelta(minutes=10)), ERIN)
    # and one overlapping a window scheduled for later is refused too
    with pytest.raises(ActionRefused, match=f"fault window {after.id} "):
        await faults.schedule(request(start_in=timedelta(minutes=15)), ERIN)
    # ended, the host is free again
    await faults.end(first.id, ERIN, "drill over")
    await faults.schedule(request(duration=timedelta(minutes=5)), ERIN)
    await src.aclose()
