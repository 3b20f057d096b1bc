"""HALT on the kube fault adapter against the fake Kubernetes API server
(tests/kube_fake.py): every managed fault removed, foreign and untouched objects kept."""

from __future__ import annotations

from datetime import timedelta

from backends.clock import FrozenClock
from backends.fault_istio import MANAGED_LABEL
from backends.models import WindowState
from tests.kube_fake import FakeKube, virtual_service
from tests.kube_faults_helpers import ERIN, comparable, request, sources


async def test_halt_all_removes_every_managed_fault_and_nothing_else(
    api: FakeKube, frozen_clock: FrozenClock
) -> None:
    api.seed(virtual_service("stage", "docs-api", "docs-api"))
    original = comparable(api.stored("stage", "docs-api"))
    untouched = [
        api.seed(virtual_service("stage", "search", "search-api")),
        api.seed(virtual_service("dev", "billing", "billing")),
    ]
    foreign = virtual_service("dev", "chaos-team", "ledger")
    foreign["spec"]["http"][1]["fault"] = {"abort": {"httpStatus": 500, "percentage": {"value": 2}}}
    foreign["metadata"]["labels"][MANAGED_LABEL] = "chaos-mesh"
    untouched.append(api.seed(foreign))
    src = sources(api, frozen_clock)
    faults = src["faults"]
    a = await faults.schedule(request(), ERIN)
    b = await faults.schedule(request(ns="dev", host="ratings"), ERIN)
    later = await faults.schedule(
        request(ns="dev", host="billing", start_in=timedelta(minutes=5)), ERIN
    )
    assert api.stored("dev", f"watchfloor-fault-{b.id}") is not None
    assert comparable(api.stored("dev", "billing")) == comparable(untouched[1])  # not yet
    # when each was scheduled and put in, as every dashboard's timeline says it (the
    # VirtualService's annotations do not carry it: the store does)
    t0 = frozen_clock.now()
    times = {w.id: (w.scheduled_at, w.started_at) for w in (await faults.snapshot()).windows}
    assert times == {a.id: (t0, t0), b.id: (t0, t0), later.id: (t0, None)}

    assert await faults.halt_all(ERIN, "pager fired: checkout errors") == 3
    assert comparable(api.stored("stage", "docs-api")) == original
    assert api.stored("dev", f"watchfloor-fault-{b.id}") is None
    for obj in untouched:
        assert api.stored(obj["metadata"]["namespace"], obj["metadata"]["name"]) == obj
    snap = await faults.snapshot()
    now = frozen_clock.now()
    assert {w.id: (w.state(now), w.applied) for w in snap.windows} == {
        a.id: (WindowState.ENDED, False),
        b.id: (WindowState.ENDED, False),
        later.id: (WindowState.ENDED, False),
    }
    # who halted them, for every dashboard's timeline and report and `faults list`
    assert {w.end_reason for w in snap.windows} == {
        "HALT ALL by erin: pager fired: checkout errors"
    }
    writes = len(api.writes)
    assert await faults.halt_all(ERIN, "pager fired again") == 0  # idempotent
    assert len(api.writes) == writes
    frozen_clock.advance(600)  # the scheduled one never starts after a HALT
    assert await faults.reconcile() == []
    assert comparable(api.stored("dev", "billing")) == comparable(untouched[1])
    halts = [r for r in await src["audit"].records(limit=100) if r.action == "fault-halt-all"]
    assert [(r.phase, r.outcome) for r in halts] == [
        ("request", ""),
        ("outcome", "applied"),
        ("request", ""),
        ("outcome", "applied"),
    ]
    await src.aclose()
